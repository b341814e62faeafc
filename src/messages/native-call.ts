// One upstream attempt of a pass-through Messages call: the client's path, headers and body go to a
// provider that speaks Messages; the answer comes back as the upstream's own JSON text, or as its
// SSE events with their raw data (and comment lines) for the relay. Errors keep the upstream's
// status and body (rawUpstream) so the route can return them unmodified.
import type { Target } from '../chat/targets.js';
import type { AttemptResult, FinishLater, LlmCallDeps } from '../chat/attempts.js';
import { parseJson } from '../chat/upstream-answer.js';
import {
  malformedUpstream,
  sendNativeStream,
  sendNativeText,
  type RelayItemHandler,
  type UpstreamRefusal,
} from '../chat/native-upstream.js';
import type { GatewayError } from '../errors.js';
import type { HostedFees } from '../governance/hosted-tools.js';
import type { Cancel } from '../upstream/cancel.js';
import type { Flow } from '../upstream/client.js';
import { withRawError } from '../wire/messages/errors.js';
import type { Message } from '../wire/messages/types.js';
import { mapUsage } from '../wire/messages/usage.js';

export interface NativeCallInput {
  path: string;
  headers: Record<string, string>;
  stream: boolean;
  signal: Cancel;
  /** The body for this attempt (its output cap is the attempt's own). */
  body: string;
  /** A JSON answer's attempt effects go here instead of running at once (the codec decides when: native-codec.ts). */
  later?: FinishLater | undefined;
  /** The fees of the server tools a message's usage reports (undefined: none offered). */
  fees?: ((usage: unknown) => HostedFees) | undefined;
}

export type NativeOutcome =
  | { kind: 'json'; target: Target; text: string; message: Message }
  | {
      kind: 'stream';
      target: Target;
      /**
       * Reads the stream to its end, `onItem` called for each event and comment as it arrives
       * (relayStream), paused while `flow` is full; or to the event for which `onItem` returns true.
       */
      read(onItem: RelayItemHandler, flow?: Flow): Promise<void>;
      handle: { finish(result: AttemptResult, later?: FinishLater): void };
    };

/** Upstream headers an Anthropic client may act on, kept on a relayed error. */
const ERROR_HEADERS = ['content-type', 'retry-after', 'request-id', 'x-should-retry', 'anthropic-ratelimit-requests-reset'];

export async function nativeOnce(
  deps: LlmCallDeps,
  input: NativeCallInput,
  target: Target,
  handle: { finish(result: AttemptResult, later?: FinishLater): void },
): Promise<NativeOutcome> {
  const request = { format: 'messages' as const, path: input.path, body: input.body, headers: input.headers };
  if (!input.stream) {
    const { status, text } = await sendNativeText(deps, target, request, input.signal, keepRefusal);
    const message = parseJson(text, status) as Message;
    if (!message || typeof message !== 'object' || !Array.isArray(message.content)) throw malformedUpstream(status, 'a Messages response');
    handle.finish(
      {
        status,
        errorType: null,
        usage: message.usage ? mapUsage(message.usage) : undefined,
        mayHaveCost: true,
        hostedFees: input.fees?.(message.usage),
      },
      input.later,
    );
    return { kind: 'json', target, text, message };
  }
  const read = await sendNativeStream(deps, target, request, input.signal, keepRefusal);
  return { kind: 'stream', target, read, handle };
}

/** Claude Code matches on the wording of Anthropic's errors: the refusal is kept to be returned as it came. */
function keepRefusal(err: GatewayError, refusal: UpstreamRefusal): GatewayError {
  const headers: Record<string, string> = {};
  for (const name of ERROR_HEADERS) {
    const value = refusal.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }
  return withRawError(err, { status: refusal.status, body: refusal.body, headers });
}
