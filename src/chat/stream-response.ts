// A streamed chat response: one assistant message across every round of the loop, tool progress
// as SSE comments, then the closing chunks (client tool calls, finish reason, usage when asked).
import { runLoop, type LoopResult } from './loop.js';
import { chatCodec } from './chat-codec.js';
import type { AssistantTurn } from './accumulate.js';
import { chunk, finalChunks, type ChunkStamp } from './respond.js';
import type { StreamSink } from './round.js';
import type { RunState } from './run-state.js';
import type { SseChannel } from './sse-channel.js';
import { settleStream } from './settle-stream.js';
import type { ChatDeps } from './handler.js';
import { DeltaFrames } from './chunk-frame.js';
import { HeldEffects } from './held-effects.js';
import { containersWritten, type ShowsContainers } from '../governance/owned-containers.js';
import { noteStreamedAudio } from '../governance/owned-audio.js';

/** Runs the loop into `channel`; resolves once the stream has started (or rejects if it never did). */
export async function streamResponse(deps: ChatDeps, state: RunState, channel: SseChannel): Promise<void> {
  const stamp: ChunkStamp = { id: `chatcmpl-${state.requestId}`, created: Math.floor(Date.now() / 1000), model: '' };
  let first = true;
  let toolCallsSent = false;
  let separatorDue = false;
  let round = 0;
  const frames = new DeltaFrames(stamp);
  // The last round's effects outside the request (round.ts's finish), run after the stream's end.
  const afterEnd = new HeldEffects();
  const settle = () => afterEnd.settle();
  // The audio ids the stream shows the key (delta.audio.id), recorded as its own (governance/owned-audio.ts).
  const shown: ShowsContainers = { access: state.access };
  const sink: StreamSink = {
    delta(delta, extras) {
      stamp.model ||= state.lastTarget?.model ?? state.request.model;
      if (extras?.system_fingerprint != null) stamp.system_fingerprint = extras.system_fingerprint;
      if (extras?.service_tier != null) stamp.service_tier = extras.service_tier;
      if (delta.tool_calls) toolCallsSent = true;
      // Text of several rounds reaches the client as one message; a blank line separates rounds.
      if (round !== state.rounds && delta.content) {
        if (separatorDue) delta = Object.assign({}, delta, { content: `\n\n${delta.content}` });
        round = state.rounds;
      }
      if (delta.content) separatorDue = true;
      // Its size: the round's output cap (its usage comes after the id is recorded).
      if (delta.audio) noteStreamedAudio(deps.audio, shown, delta.audio, state.spokenCap);
      channel.dataText(frames.text(first ? { role: 'assistant', ...delta } : delta, extras?.logprobs));
      first = false;
    },
    comment: (text) => channel.comment(text),
    finishAfterEnd: (effects) => afterEnd.hold(effects),
    flow: channel.flow,
  };
  await settleStream(deps, state, channel, runLoop(deps, state, chatCodec(deps, state, sink)), {
    done(result: LoopResult<AssistantTurn>) {
      // A stream that showed audio ids ends once they are recorded (a follow-up naming one then finds
      // it, on PostgreSQL too); any other ends now, without an extra turn.
      const written = containersWritten(shown);
      return written ? written.then(() => end(result)) : end(result);
    },
    failed: (error) => channel.fail(error),
    stop: settle,
  });

  function end(result: LoopResult<AssistantTurn>): void {
    try {
      stamp.model ||= result.turn.model || state.request.model;
      if (first) channel.data(chunk(stamp, [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }]));
      for (const c of finalChunks(stamp, state, result, toolCallsSent)) channel.data(c);
      channel.done();
    } finally {
      // After the client's last byte, before the requests row.
      settle();
    }
  }
}
