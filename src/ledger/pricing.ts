// Prices and cost arithmetic. Lookup order for (provider, model): config `pricing` under
// 'provider/model', then config under the bare model, then the bundled table; each by exact
// key first, then the longest key that is a prefix followed by '-' or '@' (so dated ids like
// claude-sonnet-4-20250514 find claude-sonnet-4, but gpt-4.5 never borrows gpt-4's price, nor
// o3-deep-research o3's: BILLED_OTHERWISE).
// An unknown price is a null cost, never 0: the ledger stores NULL and flags it.
import type { Config, Price } from '../config-schema.js';
import { HOSTED_PRICE_PREFIX, HOSTED_TOOLS_DEFAULTS } from '../config-hosted-tools.js';
import { bundledPrices, type PriceTable } from './prices.js';

export interface TokenUsage {
  /** All input tokens, including cached and cache-write ones (OpenAI-style, as the gateway reports them). */
  promptTokens: number;
  completionTokens: number;
  /** Input tokens read from the provider's prompt cache. */
  cachedTokens?: number;
  /** Input tokens written to the prompt cache (Anthropic). */
  cacheWriteTokens?: number;
  /** Of those, the ones written for an hour (`ttl: "1h"`), billed at a higher rate. */
  cacheWrite1hTokens?: number;
  /** Of the input and output tokens, the audio ones (OpenAI's audio models: billed at their own rates). */
  audioInputTokens?: number;
  audioOutputTokens?: number;
}

export interface Pricing {
  /** The bundled table's date. */
  readonly asOf: string;
  priceOf(provider: string, model: string): Price | undefined;
  /** USD, or null when the model has no price. */
  costOf(provider: string, model: string, usage: TokenUsage): number | null;
  /**
   * The model's maximum output and per-image token bound: from the config entry, else the bundled
   * table (a config price override keeps the bundled model's limits).
   */
  limitsOf(provider: string, model: string): ModelLimits;
  /** The operator's stated charge per call of a model without a price (config `unpricedModels`); undefined = refuse them under a budget. */
  readonly unpricedCallUsd: number | undefined;
  /** USD per call of a gateway tool (`server__tool`); 0 when not configured: tools are free unless priced. */
  toolCost(gatewayToolName: string): number;
  /** 'provider/model' values costOf() met without a price, for warnings and the dashboard. */
  unknownModels(): string[];
  /** USD per use of a hosted tool type (`messages/web_search`): config `pricing["hosted:…"]`, else the table; undefined = unpriced. */
  hostedFee(key: string): number | undefined;
  /** Config `hostedTools`: the bound sent when the client sent none, and the input allowance per use. */
  readonly hostedTools: HostedToolsConfig;
}

export interface HostedToolsConfig {
  defaultMaxUses: number;
  contentTokensPerUse: number;
}

export interface ModelLimits {
  maxOutputTokens?: number | undefined;
  maxImageTokens?: number | undefined;
}

export interface PricingOptions {
  overrides?: Config['pricing'];
  unpricedModels?: Config['unpricedModels'];
  toolCosts?: Config['toolCosts'];
  hostedTools?: Config['hostedTools'];
  table?: PriceTable;
}

// Bounds for the memo and the unknown list: model names come from clients, so neither may grow
// without limit.
const MAX_MEMO = 10_000;
const MAX_UNKNOWN = 1_000;

type Lookup = (name: string) => Price | undefined;

/**
 * Variants a family name plus a word names, billed otherwise than the family: o3-deep-research
 * 5x o3, the audio models' audio tokens 4-8x the text rates, the search models a fee per call,
 * realtime, transcribe and tts by audio. Such a name never borrows the family's price: it is
 * unpriced (refused under a budget) unless priced itself. Dated ids still borrow.
 */
const BILLED_OTHERWISE = /[-@](?:deep-research|audio|search|realtime|transcribe|tts)(?:[-@]|$)/;

function lookupIn(prices: Readonly<Record<string, Price>>): Lookup {
  const map = new Map(Object.entries(prices));
  const byLength = [...map.keys()].sort((a, b) => b.length - a.length);
  return (name) => {
    const exact = map.get(name);
    if (exact) return exact;
    for (const key of byLength) {
      if (key.length >= name.length || !name.startsWith(key)) continue;
      const next = name[key.length];
      if (next === '-' || next === '@') return BILLED_OTHERWISE.test(name.slice(key.length)) ? undefined : map.get(key);
    }
    return undefined;
  };
}

export function createPricing(opts: PricingOptions = {}): Pricing {
  const table = opts.table ?? bundledPrices;
  const models: Record<string, Price> = {};
  const fees = new Map(Object.entries(table.hostedTools ?? {}));
  for (const [key, value] of Object.entries(opts.overrides ?? {})) {
    if (key.startsWith(HOSTED_PRICE_PREFIX)) fees.set(key.slice(HOSTED_PRICE_PREFIX.length), (value as { perUseUsd: number }).perUseUsd);
    else models[key] = value as Price;
  }
  const fromConfig = lookupIn(models);
  const bundled = lookupIn(table.models);
  const toolCosts = new Map(Object.entries(opts.toolCosts ?? {}));
  const memo = pairMemo<Price | null>();
  const limitsMemo = pairMemo<ModelLimits>();
  const unknown = new Set<string>();

  const priceOf = (provider: string, model: string): Price | undefined => {
    const seen = memo.get(provider, model);
    if (seen !== undefined) return seen ?? undefined;
    const id = `${provider}/${model}`;
    const price = fromConfig(id) ?? fromConfig(model) ?? bundled(model);
    memo.set(provider, model, price ?? null);
    return price;
  };

  return {
    asOf: table.asOf,
    priceOf,
    costOf(provider, model, usage) {
      const price = priceOf(provider, model);
      if (!price) {
        if (unknown.size < MAX_UNKNOWN) unknown.add(`${provider}/${model}`);
        return null;
      }
      const cached = usage.cachedTokens ?? 0;
      const cacheWrite = usage.cacheWriteTokens ?? 0;
      const write1h = Math.min(cacheWrite, usage.cacheWrite1hTokens ?? 0);
      const fresh = Math.max(0, usage.promptTokens - cached - cacheWrite);
      // Audio tokens are counted in the prompt and completion totals; billed at their own rates when priced.
      const audioIn = Math.min(fresh, usage.audioInputTokens ?? 0);
      const audioOut = Math.min(usage.completionTokens, usage.audioOutputTokens ?? 0);
      // Sum token×rate first and divide once: exact for integer figures, fewer rounding steps.
      const micro =
        (fresh - audioIn) * price.inputPerMTok +
        audioIn * (price.audioInputPerMTok ?? price.inputPerMTok) +
        cached * (price.cachedInputPerMTok ?? price.inputPerMTok) +
        (cacheWrite - write1h) * (price.cacheWritePerMTok ?? price.inputPerMTok) +
        write1h * (price.cacheWrite1hPerMTok ?? price.cacheWritePerMTok ?? price.inputPerMTok) +
        (usage.completionTokens - audioOut) * price.outputPerMTok +
        audioOut * (price.audioOutputPerMTok ?? price.outputPerMTok);
      return micro / 1_000_000;
    },
    limitsOf(provider, model) {
      let limits = limitsMemo.get(provider, model);
      if (!limits) {
        const id = `${provider}/${model}`;
        const own = fromConfig(id) ?? fromConfig(model);
        const table = bundled(model);
        limits = {
          maxOutputTokens: own?.maxOutputTokens ?? table?.maxOutputTokens,
          maxImageTokens: own?.maxImageTokens ?? table?.maxImageTokens,
        };
        limitsMemo.set(provider, model, limits);
      }
      return limits;
    },
    unpricedCallUsd: opts.unpricedModels?.chargePerCallUsd,
    toolCost: (name) => toolCosts.get(name) ?? 0,
    unknownModels: () => [...unknown],
    hostedFee: (key) => fees.get(key),
    hostedTools: opts.hostedTools ?? HOSTED_TOOLS_DEFAULTS,
  };
}

/**
 * A memo by (provider, model) without building a 'provider/model' key on each lookup (two to
 * three lookups per LLM call; 0.6% of the busy CPU at 64 connections). Bounded by MAX_MEMO entries.
 */
function pairMemo<V>() {
  let byProvider = new Map<string, Map<string, V>>();
  let size = 0;
  return {
    get: (provider: string, model: string): V | undefined => byProvider.get(provider)?.get(model),
    set(provider: string, model: string, value: V): void {
      if (size >= MAX_MEMO) {
        byProvider = new Map();
        size = 0;
      }
      let models = byProvider.get(provider);
      if (!models) byProvider.set(provider, (models = new Map()));
      if (!models.has(model)) size++;
      models.set(model, value);
    },
  };
}
