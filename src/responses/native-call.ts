// One upstream attempt of a pass-through Responses call: the body goes to a provider that speaks
// Responses, with its own credentials; the answer comes back as the upstream's JSON text, or as its
// SSE events with their raw data (and comment lines) for the relay. An error keeps the upstream's
// status and message, the provider key cut out.
import type { Target } from '../chat/targets.js';
import type { AttemptResult, FinishLater, LlmCallDeps } from '../chat/attempts.js';
import { parseJson } from '../chat/upstream-answer.js';
import {
  malformedUpstream,
  type NativeRequest,
  type RelayItemHandler,
  sendNativeStream,
  sendNativeText,
  type UpstreamRefusal,
} from '../chat/native-upstream.js';
import type { GatewayError } from '../errors.js';
import type { Cancel } from '../upstream/cancel.js';
import type { HostedFees } from '../governance/hosted-tools.js';
import type { OtherItem } from '../wire/responses/types.js';
import type { Flow } from '../upstream/client.js';
import { turnFromResponse, type ResponsesTurn } from '../wire/responses/native-turn.js';

type Handle = { finish(result: AttemptResult, later?: FinishLater): void };

export type NativeOutcome =
  | { kind: 'json'; target: Target; text: string; turn: ResponsesTurn }
  | {
      kind: 'stream';
      target: Target;
      /**
       * Reads the stream to its end, `onItem` called for each event and comment as it arrives
       * (relayStream), paused while `flow` is full; or to the event for which `onItem` returns true.
       */
      read(onItem: RelayItemHandler, flow?: Flow): Promise<void>;
      handle: Handle;
    };

export interface NativeCallInput {
  /** /v1/responses, or /v1/responses/{id} for GET and DELETE. */
  path: string;
  method?: 'POST' | 'GET' | 'DELETE';
  stream: boolean;
  signal: Cancel;
  body: string;
  /** A JSON answer's attempt effects go here instead of running at once (the codec decides when: native-codec.ts). */
  later?: FinishLater | undefined;
  /** The fees of the built-in tool calls among a response's output items (undefined: none offered). */
  fees?: ((output: readonly OtherItem[]) => HostedFees) | undefined;
}

export async function nativeOnce(deps: LlmCallDeps, input: NativeCallInput, target: Target, handle: Handle): Promise<NativeOutcome> {
  if (!input.stream) {
    const { status, text } = await sendNativeText(deps, target, nativeRequestOf(input), input.signal);
    const json = parseJson(text, status) as ResponsesTurn['response'];
    if (!json || typeof json !== 'object') throw malformedUpstream(status, 'a Responses object');
    const turn = turnFromResponse(json);
    handle.finish({ status, errorType: null, usage: turn.usage, mayHaveCost: true, hostedFees: input.fees?.(turn.output) }, input.later);
    return { kind: 'json', target, text, turn };
  }
  const read = await sendNativeStream(deps, target, nativeRequestOf(input), input.signal);
  return { kind: 'stream', target, read, handle };
}

const nativeRequestOf = (input: NativeCallInput): NativeRequest => ({
  format: 'responses',
  path: input.path,
  method: input.method,
  headers: {},
  body: input.body,
});

/**
 * Sends one request to the target's Responses endpoint, its answer read whole; a non-2xx answer is
 * thrown as the upstream's error (`refused` may turn it into another).
 */
export async function sendResponses(
  deps: LlmCallDeps,
  input: NativeCallInput,
  target: Target,
  refused?: (err: GatewayError, refusal: UpstreamRefusal) => GatewayError,
): Promise<string> {
  return (await sendNativeText(deps, target, nativeRequestOf(input), input.signal, refused)).text;
}
