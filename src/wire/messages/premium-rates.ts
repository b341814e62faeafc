// Two Messages fields that make Anthropic bill one request above the price table's rates: `speed:
// "fast"` (fast mode, with its beta header: a multiple of the standard rates, 2× to 6× by model,
// https://platform.claude.com/docs/en/build-with-claude/fast-mode) and `inference_geo: "us"`
// (US-only inference, 1.1× on Opus 4.6, Sonnet 4.6 and later,
// https://platform.claude.com/docs/en/build-with-claude/data-residency). A pass-through sends the
// client's body as it came, so under a budget such a request would be reserved and charged at the
// table's rates and billed above them: it is refused, like a service_tier billed above the table
// (chat/resolve-targets.ts) and the long-context beta (long-context.ts). Pure.
import { GatewayError } from '../../errors.js';

/** The values billed at the standard rates (absent and null included). */
const STANDARD: Readonly<Record<'speed' | 'inference_geo', ReadonlySet<unknown>>> = {
  speed: new Set([undefined, null, 'standard']),
  inference_geo: new Set([undefined, null, 'global']),
};

export function refusePremiumRates(body: Readonly<Record<string, unknown>>): void {
  for (const field of ['speed', 'inference_geo'] as const) {
    const value = body[field];
    if (STANDARD[field].has(value)) continue;
    throw new GatewayError({
      status: 403,
      type: 'model_blocked',
      code: 'model_unpriced',
      param: field,
      message: `${field} ${JSON.stringify(value)} is billed at rates the price table does not hold, so a budget cannot hold it: leave it out`,
    });
  }
}
