// The bundled price table: USD per million tokens, keyed by upstream model name. Dated model
// ids (gpt-4o-2024-08-06, claude-sonnet-4-20250514) resolve to their family by longest prefix
// (see pricing.ts). Config `pricing` overrides any entry. Figures are the providers' published
// list prices on `asOf`; check https://openai.com/api/pricing and
// https://docs.anthropic.com/en/docs/about-claude/pricing when updating, and bump `asOf`.
import type { Price } from '../config-schema.js';

/**
 * input, output, cached input, cache write (USD per million tokens), then the model's maximum output
 * (tokens, reasoning included) from the providers' model pages. cacheWritePerMTok is Anthropic's
 * 5-minute cache write (1.25x input); a model with one has the 1-hour write too, at twice the input
 * rate (https://docs.anthropic.com/en/docs/build-with-claude/prompt-caching#pricing).
 */
const p = (input: number, output: number, maxOutputTokens: number, cachedInput?: number, cacheWrite?: number): Price => ({
  inputPerMTok: input,
  outputPerMTok: output,
  maxOutputTokens,
  ...(cachedInput === undefined ? {} : { cachedInputPerMTok: cachedInput }),
  ...(cacheWrite === undefined ? {} : { cacheWritePerMTok: cacheWrite, cacheWrite1hPerMTok: 2 * input }),
});

export interface PriceTable {
  /** The date the figures were checked (YYYY-MM-DD). */
  asOf: string;
  models: Readonly<Record<string, Price>>;
  /**
   * USD per use of a tool the upstream runs itself, keyed `<api>/<tool type without its date>`
   * (governance/hosted-tools.ts). A hosted tool type missing here is unpriced: refused under a budget.
   */
  hostedTools?: Readonly<Record<string, number>>;
}

export const bundledPrices: PriceTable = {
  asOf: '2025-11-01',
  models: {
    // OpenAI
    'gpt-5': p(1.25, 10, 128_000, 0.125),
    'gpt-5.1': p(1.25, 10, 128_000, 0.125),
    'gpt-5-mini': p(0.25, 2, 128_000, 0.025),
    'gpt-5-nano': p(0.05, 0.4, 128_000, 0.005),
    'gpt-5-pro': p(15, 120, 272_000),
    'gpt-4.1': p(2, 8, 32_768, 0.5),
    'gpt-4.1-mini': p(0.4, 1.6, 32_768, 0.1),
    'gpt-4.1-nano': p(0.1, 0.4, 32_768, 0.025),
    'gpt-4o': p(2.5, 10, 16_384, 1.25),
    // The first gpt-4o snapshot kept its launch price.
    'gpt-4o-2024-05-13': p(5, 15, 4_096),
    // gpt-4o-mini counts an image as up to 2,833 + 8 × 5,667 tokens (same dollars as gpt-4o's).
    'gpt-4o-mini': { ...p(0.15, 0.6, 16_384, 0.075), maxImageTokens: 48_170 },
    'gpt-4-turbo': p(10, 30, 4_096),
    'gpt-4': p(30, 60, 8_192),
    'gpt-3.5-turbo': p(0.5, 1.5, 4_096),
    o1: p(15, 60, 100_000, 7.5),
    'o1-mini': p(1.1, 4.4, 65_536, 0.55),
    'o1-pro': p(150, 600, 100_000),
    o3: p(2, 8, 100_000, 0.5),
    'o3-mini': p(1.1, 4.4, 100_000, 0.55),
    'o3-pro': p(20, 80, 100_000),
    'o4-mini': p(1.1, 4.4, 100_000, 0.275),
    // Anthropic
    'claude-opus-4-5': p(5, 25, 64_000, 0.5, 6.25),
    'claude-opus-4-1': p(15, 75, 32_000, 1.5, 18.75),
    'claude-opus-4': p(15, 75, 32_000, 1.5, 18.75),
    'claude-sonnet-4-5': p(3, 15, 64_000, 0.3, 3.75),
    'claude-sonnet-4': p(3, 15, 64_000, 0.3, 3.75),
    'claude-haiku-4-5': p(1, 5, 64_000, 0.1, 1.25),
    'claude-3-7-sonnet': p(3, 15, 64_000, 0.3, 3.75),
    'claude-3-5-sonnet': p(3, 15, 8_192, 0.3, 3.75),
    'claude-3-5-haiku': p(0.8, 4, 8_192, 0.08, 1),
    'claude-3-opus': p(15, 75, 4_096, 1.5, 18.75),
    'claude-3-haiku': p(0.25, 1.25, 4_096, 0.03, 0.3),
  },
  // Checked 2025-11-01 against https://docs.anthropic.com/en/docs/agents-and-tools/tool-use/web-search-tool
  // ($10 per 1,000 searches), .../web-fetch-tool (no charge beyond tokens) and
  // https://openai.com/api/pricing (built-in tools). Anthropic's code execution is billed by container
  // time, which no request bounds and no usage reports: left unpriced on purpose (price it in config
  // to allow it under a budget; the figure is then charged once per round that offers it).
  hostedTools: {
    'messages/web_search': 0.01,
    'messages/web_fetch': 0,
    // OpenAI: web_search $10/1k calls; web_search_preview $25/1k (non-reasoning models, the dearer);
    // file_search $2.50/1k; code_interpreter $0.03 a container (charged per call: never below it);
    // image_generation: gpt-image-1's dearest image (high quality, 1536x1024).
    'responses/web_search': 0.01,
    'responses/web_search_preview': 0.025,
    'responses/file_search': 0.0025,
    'responses/code_interpreter': 0.03,
    'responses/image_generation': 0.25,
  },
};
