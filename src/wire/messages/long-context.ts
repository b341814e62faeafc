// Anthropic's 1M-token context window is a beta (`anthropic-beta: context-1m-…`), and a request
// that uses it past 200,000 input tokens is billed at premium rates — twice the input rate, 1.5×
// the output rate (https://docs.anthropic.com/en/docs/about-claude/pricing#long-context-pricing) —
// which the price table does not hold. Passed through with the client's headers under a budget, such
// a request would be reserved and charged at the standard rates and billed up to twice them: it is
// refused, like a service_tier billed above the table (chat/resolve-targets.ts). Pure.
import { GatewayError } from '../../errors.js';

export function refuseLongContextBeta(betas: string | null | undefined): void {
  if (!betas) return;
  for (const beta of betas.split(','))
    if (beta.trim().toLowerCase().startsWith('context-1m'))
      throw new GatewayError({
        status: 403,
        type: 'model_blocked',
        code: 'model_unpriced',
        param: 'anthropic-beta',
        message: `anthropic-beta ${beta.trim()} bills prompts over 200,000 tokens at long-context rates the price table does not hold, so a budget cannot hold it: leave that beta out`,
      });
}
