// Config for tools the upstream runs itself (Anthropic server tools, Responses built-in tools):
// their per-use fees in `pricing` beside the models' prices, and the bounds a budget reserves with.
// See README, "Budgets" (hosted tools) and governance/hosted-tools.ts.
import { z } from 'zod';

/** `pricing` keys for hosted tool fees: `hosted:<api>/<tool type without its date>`, e.g. `hosted:messages/web_search`. */
export const HOSTED_PRICE_PREFIX = 'hosted:';

export const hostedFeeSchema = z.strictObject({ perUseUsd: z.number().nonnegative() });

/**
 * Model prices, and hosted tool fees under `hosted:` keys: the one `pricing` map, each key checked
 * against the shape its prefix calls for (so a typo in either is named at startup).
 */
export function pricingSchema<P extends z.ZodType>(priceSchema: P) {
  return z
    .record(z.string(), z.union([priceSchema, hostedFeeSchema]))
    .default({})
    .superRefine((entries, ctx) => {
      for (const [key, value] of Object.entries(entries)) {
        const hosted = key.startsWith(HOSTED_PRICE_PREFIX);
        const ok = hosted ? hostedFeeSchema.safeParse(value).success : priceSchema.safeParse(value).success;
        if (!ok)
          ctx.addIssue({
            code: 'custom',
            path: [key],
            message: hosted ? 'a hosted tool fee is {"perUseUsd": n}' : 'a model price is {"inputPerMTok": n, "outputPerMTok": n, …}',
          });
      }
    });
}

/** `hostedTools` when the config names none (also what a pricing port without it falls back to). */
export const HOSTED_TOOLS_DEFAULTS = { defaultMaxUses: 5, contentTokensPerUse: 10_000 } as const;

export const hostedToolsSchema = z
  .strictObject({
    /** Uses per hosted tool (Anthropic max_uses) or per response (Responses max_tool_calls) sent when the client sent none, under a budget. */
    defaultMaxUses: z.number().int().positive().default(HOSTED_TOOLS_DEFAULTS.defaultMaxUses),
    /** Input tokens reserved per use for what it brings into the context (search results): an allowance, not a bound. */
    contentTokensPerUse: z.number().int().nonnegative().default(HOSTED_TOOLS_DEFAULTS.contentTokensPerUse),
  })
  .prefault({});
