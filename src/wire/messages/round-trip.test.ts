// The Messages ⇄ chat translator is one translator: recorded Anthropic answers (fixtures/) taken to
// chat and back come out as the same message, stream events as the same turn, and a chat request
// sent to a Messages upstream and read back is the request it was.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChatCompletionChunk, ChatRequest, FinishReason, Usage as ChatUsage } from '../../openai/types.js';
import { chatToMessages } from './from-chat-request.js';
import { blocksFromChat, messageFromChat, stopReasonFromChat, usageFromChat } from './from-chat-response.js';
import { MessagesStreamWriter } from './stream-writer.js';
import { fixture, replay, sseEvents } from './test-helpers.js';
import { messagesToChat } from './to-chat-request.js';
import { completionFromMessage } from './to-chat-response.js';
import { chunksFromMessagesStream } from './to-chat-stream.js';
import { MessagesTurnBuilder } from './turn.js';
import type { ContentBlock, Message } from './types.js';

/** Adjacent text blocks read as one text (chat has a single content string). */
function merged(blocks: readonly ContentBlock[]): ContentBlock[] {
  const out: ContentBlock[] = [];
  for (const b of blocks) {
    const last = out.at(-1);
    if (b.type === 'text' && last?.type === 'text') last.text = `${last.text}${b.text}`;
    else out.push(b.type === 'text' ? { type: 'text', text: b.text } : { ...b });
  }
  return out;
}

const USAGE_KEYS = ['input_tokens', 'output_tokens', 'cache_read_input_tokens', 'cache_creation_input_tokens'] as const;
const billed = (u: { [K in (typeof USAGE_KEYS)[number]]?: number | null }) => Object.fromEntries(USAGE_KEYS.map((k) => [k, u[k] ?? 0]));

describe('messages ⇄ chat: recorded answers', () => {
  for (const name of ['message-text.json', 'message-tool-use.json', 'message-parallel-tool-use.json']) {
    test(`${name}: to chat and back is the same message`, () => {
      const original = fixture<Message>(name);
      const completion = completionFromMessage(original);
      const choice = completion.choices[0]!;
      const back = messageFromChat({
        id: completion.id,
        model: completion.model,
        content: blocksFromChat({ content: choice.message.content ?? null, toolCalls: choice.message.tool_calls ?? [] }),
        finishReason: choice.finish_reason,
        usage: completion.usage,
      });
      assert.equal(back.id, original.id);
      assert.equal(back.model, original.model);
      assert.equal(back.stop_reason, original.stop_reason);
      assert.deepEqual(back.content, merged(original.content));
      assert.deepEqual(billed(back.usage), billed(original.usage));
    });
  }
});

/** Plays chat chunks into the Messages stream writer the way the translated path does. */
function writeChunks(chunks: ChatCompletionChunk[]): string[] {
  const frames: string[] = [];
  const writer = new MessagesStreamWriter((f) => frames.push(f));
  let finish: FinishReason | null = null;
  let usage: ChatUsage | undefined;
  for (const chunk of chunks) {
    if (chunk.usage) usage = chunk.usage;
    writer.start(chunk.id, chunk.model, usageFromChat(chunk.usage ?? undefined));
    for (const { delta, finish_reason } of chunk.choices) {
      if (delta.content) writer.text(delta.content);
      for (const d of delta.tool_calls ?? []) writer.toolCallDelta(d);
      if (finish_reason) finish = finish_reason;
    }
  }
  writer.finish(stopReasonFromChat(finish), usageFromChat(usage));
  return frames;
}

function turnOf(events: { type?: string; [key: string]: unknown }[]) {
  const builder = new MessagesTurnBuilder();
  for (const e of events) builder.add(e);
  assert.ok(builder.stopped, 'the stream ends with message_stop');
  return builder.turn();
}

const parse = (frame: string) => JSON.parse(/^event: [a-z_]+\ndata: (.*)\n\n$/s.exec(frame)![1]!) as { type: string };

describe('messages ⇄ chat: recorded streams', () => {
  for (const name of ['stream-text.json', 'stream-tool-use.json', 'stream-parallel-tool-use.json']) {
    test(`${name}: events to chunks and back rebuild the same turn`, () => {
      const events = sseEvents(name).map((e) => JSON.parse(e.data) as { type: string });
      const original = turnOf(events);
      const again = turnOf(writeChunks(replay(chunksFromMessagesStream(), sseEvents(name))).map(parse));
      assert.equal(again.id, original.id);
      assert.equal(again.stopReason, original.stopReason);
      assert.deepEqual(again.content, merged(original.content));
      assert.deepEqual(billed(again.rawUsage), billed(original.rawUsage));
    });
  }
});

describe('messages ⇄ chat: requests', () => {
  test('a chat request sent to a Messages upstream reads back as the same chat request', () => {
    const chat: ChatRequest = {
      model: 'claude-sonnet-4-20250514',
      messages: [
        { role: 'system', content: 'Be brief.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Weather?' },
            { type: 'image_url', image_url: { url: 'https://x.test/a.png' } },
          ],
        },
        {
          role: 'assistant',
          content: 'Checking.',
          tool_calls: [{ id: 'toolu_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
        },
        { role: 'tool', tool_call_id: 'toolu_1', content: '18°C' },
        // After a tool result the user's words share its turn, so they come back as parts.
        { role: 'user', content: [{ type: 'text', text: 'Thanks' }] },
      ],
      max_tokens: 300,
      stop: ['END'],
      temperature: 0.2,
      top_p: 0.9,
      user: 'u-1',
      stream: true,
      tools: [{ type: 'function', function: { name: 'get_weather', description: 'Weather', parameters: { type: 'object' } } }],
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
      parallel_tool_calls: false,
    };
    const messages = chatToMessages(chat, { model: chat.model, defaultMaxTokens: 1024 });
    const { request, warnings } = messagesToChat(messages, { maxTokensField: 'max_tokens' });
    assert.deepEqual(warnings, []);
    assert.deepEqual(request, chat);
  });
});
