// Anthropic failures → GatewayError.
// Spec: https://docs.anthropic.com/en/api/errors (HTTP errors and errors inside an SSE stream).
import type { GatewayError } from '../../src/errors.js';
import { upstreamMessage, upstreamStatusError } from '../shared/upstream-error.js';

export function errorFromResponse(status: number, bodyText: string, headers: Record<string, string | undefined>): GatewayError {
  return upstreamStatusError('anthropic', status, upstreamMessage(bodyText), headers);
}

// Errors inside a Messages stream are the wire format's own (src/wire/messages/errors.ts).
