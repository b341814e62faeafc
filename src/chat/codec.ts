// The loop codec: everything the tool loop (loop.ts) needs from a wire format, and nothing more.
// The loop itself — caps, budgets, governed tool calls, mixed turns, the ledger — is written once
// against this interface; each surface (chat, messages, responses) supplies a codec built over its
// own conversation state. See DESIGN.md, "Wire formats and the loop".
//
// A codec instance belongs to one request. It owns the conversation in its own format (chat
// messages, Anthropic content blocks, Responses input items), so nothing is lost in a pivot
// (thinking signatures, cache markers, unknown fields survive), and it owns how a round is sent
// (pass-through to a provider that speaks the format, or translation through chat).
//
// Contract:
// - round(final) calls the model once with the conversation so far, through the shared attempt
//   machinery (callLlm + attemptHooks in round.ts, or callNative for pass-through) so every attempt
//   is reserved, charged and recorded. With `final` the model may not call tools (tool_choice
//   "none" or the format's equivalent). Streaming codecs forward what the client may see as it
//   arrives and hold back the gateway's tool calls (their names tell them apart: state.injectedNames).
// - The returned turn lists its tool calls in chat shape (id, function.name, function.arguments as
//   JSON text), whatever the format: the loop splits them into gateway and client calls by name.
// - append(turn, gatewayCalls, results) continues the conversation: the model's turn as it came
//   (only the gateway's calls in it, when it was mixed it ended the request instead) and one result
//   per gateway call, in order (`tool_call_id` = the call's id, `content` = the text for the model).
// - hide(clientCalls, gatewayCalls, results) is called instead of append when a turn mixed client
//   and gateway calls: the client gets only its own calls and the codec keeps the rest so the
//   client's follow-up can be completed (chat: stitch.ts).
import type { FinishReason, ToolCall, ToolMessage } from '../openai/types.js';

export interface LoopTurn {
  /** Every tool call of the turn, gateway and client alike, in the order the model made them. */
  toolCalls: ToolCall[];
  /** In chat terms; 'tool_calls' is not relied on (toolCalls is). */
  finishReason: FinishReason | null;
}

export interface LoopCodec<T extends LoopTurn = LoopTurn> {
  round(final: boolean): Promise<T>;
  append(turn: T, gatewayCalls: readonly ToolCall[], results: readonly ToolMessage[]): void;
  hide(clientCalls: readonly ToolCall[], gatewayCalls: ToolCall[], results: ToolMessage[]): void;
  /** Tool progress notes while the gateway runs tools (SSE comments); absent when not streaming. */
  progress?: ((text: string) => void) | undefined;
}
