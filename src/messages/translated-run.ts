// A Messages request to a provider that speaks only Chat Completions: translated to chat
// (wire/messages/to-chat-request.ts; untranslatable fields are a 400 naming them), run through the chat
// codec exactly as a chat request would be (same loop, tools, caps, budgets, hidden mixed turns),
// and the answer translated back (from-chat-response.ts, stream-writer.ts). Dropped hints are listed in
// x-tollgate-warnings.
import { chatCodec } from '../chat/chat-codec.js';
import { runLoop } from '../chat/loop.js';
import { recordRequest } from '../chat/record.js';
import { settleStream } from '../chat/settle-stream.js';
import { tollgateInfo } from '../chat/respond.js';
import type { StreamSink } from '../chat/round.js';
import type { RunState } from '../chat/run-state.js';
import { SSE_HEADERS } from '../openai/sse.js';
import { blocksFromChat, messageFromChat, stopReasonFromChat, usageFromChat } from '../wire/messages/from-chat-response.js';
import { estimateInputTokens } from '../governance/messages-prompt-bound.js';
import { commentFrame } from '../wire/messages/sse.js';
import { MessagesStreamWriter } from '../wire/messages/stream-writer.js';
import { messagesToChat } from '../wire/messages/to-chat-request.js';
import type { MessagesRun } from './handler.js';
import { MessagesChannel } from './stream-channel.js';

export const runTranslated: MessagesRun = async (deps, input, start, onState) => {
  const { body, target, injected, access } = start;
  const { request, warnings } = messagesToChat(body, { maxTokensField: target.provider.maxTokensField });
  const headers: Record<string, string> = warnings.length ? { 'x-tollgate-warnings': warnings.join('; ') } : {};
  const state: RunState = Object.assign(start.base, {
    warnings,
    request,
    includeUsage: false,
    offeredTools: injected.length ? [...(request.tools ?? []), ...injected.map((t) => t.openai)] : request.tools,
    messages: deps.hidden.expand(request.messages, { keyId: access.keyId, allowsTool: (name) => access.decideTool(name).allowed }),
    audioTokens: 0,
    spokenCap: undefined,
  });
  onState(state);
  const id = `msg_${input.requestId.replaceAll('-', '')}`;
  if (!state.stream) {
    const result = await runLoop(deps, state, chatCodec(deps, state, null));
    const info = tollgateInfo(state);
    const message = messageFromChat({
      id,
      model: body.model,
      content: blocksFromChat({ content: result.turn.content, toolCalls: result.clientToolCalls }),
      finishReason: result.finishReason,
      usage: state.usage,
    });
    // An upstream that reported no usage: the input estimate, not a claimed 0.
    if (!state.usage) message.usage.input_tokens = estimateInputTokens(body);
    recordRequest(deps, state, { status: 200, startedAt: state.startedAt });
    return { kind: 'json', text: JSON.stringify(info ? { ...message, tollgate: info } : message), headers };
  }

  const out = new MessagesChannel(input.sseSink?.(input.requestId, Object.assign({}, SSE_HEADERS, headers)), start.client);
  const writer = new MessagesStreamWriter((frame) => out.frame(frame));
  // A chat upstream reports input usage only at the end: message_start carries the gateway's
  // estimate (as count_tokens would), message_delta the upstream's real figures.
  // An upstream that sends no usage at all leaves the estimate standing (never a claimed 0).
  const estimate = { input_tokens: estimateInputTokens(body), output_tokens: 0 };
  const open = () => writer.start(id, body.model, estimate);
  let toolCallsSent = false;
  let round = 0;
  const sink: StreamSink = {
    flow: out.flow,
    delta(delta) {
      open();
      // Each round's text is its own block.
      if (round !== state.rounds) {
        if (round !== 0) writer.endBlock();
        round = state.rounds;
      }
      if (delta.content) writer.text(delta.content);
      if (delta.refusal) writer.text(delta.refusal);
      for (const d of delta.tool_calls ?? []) {
        toolCallsSent = true;
        writer.toolCallDelta(d);
      }
    },
    comment: (text) => out.frame(commentFrame(` ${text}`)),
  };
  out.keepAlive(deps.pingIntervalMs, open);
  await settleStream(deps, state, out.channel, runLoop(deps, state, chatCodec(deps, state, sink)), {
    done(result) {
      open();
      if (!toolCallsSent) for (const call of result.clientToolCalls) writer.toolUse(call);
      writer.finish(stopReasonFromChat(result.finishReason), state.usage ? usageFromChat(state.usage) : estimate);
      out.end();
    },
    failed: (error) => out.fail(error, state.requestId),
    stop: () => out.stop(),
  });
  return out.body ? { kind: 'stream', body: out.body, headers } : { kind: 'sent' };
};
