import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FrameSpans } from '../upstream/frame-spans.js';
import { SseReader } from '../upstream/sse-parser.js';
import { eventFrame, rawFrame } from '../wire/messages/sse.js';
import { MessagesRelay, type RoundRelay } from './relay.js';

const ev = (type: string, data: object) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
const stream = [
  ev('message_start', { message: { id: 'msg_1', content: [], usage: { input_tokens: 3, output_tokens: 1 } } }),
  ev('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
  ev('ping', {}),
  ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'hi' } }),
  ev('content_block_stop', { index: 0 }),
  ev('message_delta', { delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 2 } }),
  ev('message_stop', {}),
];

/** What the relay wrote: text frames as they are, byte spans as [the chunk they came from, their text]. */
function capture() {
  const out: (string | [Buffer, string])[] = [];
  const relay = new MessagesRelay({
    frame: (text) => out.push(text),
    bytes: (chunk, start, end) => out.push([chunk, chunk.subarray(start, end).toString()]),
  });
  return { out, relay };
}

/** Reads `parts` as relayStream and native-codec do: each event parsed and handed to the round's relay with its span. */
function relayRound(round: RoundRelay, parts: Buffer[]): void {
  const spans = new FrameSpans();
  const reader = new SseReader((type, data) => {
    const name = type ?? 'message';
    spans.match(name, data);
    round.event(name, data, JSON.parse(data) as Record<string, unknown>, spans);
  });
  for (const part of parts) {
    reader.write(spans.begin(part, reader.idle));
    spans.done();
  }
  reader.end();
}

describe('MessagesRelay: frames that pass unchanged go out as the upstream sent them', () => {
  test("a pure pass-through writes the upstream chunk's own bytes, held message_delta and message_stop included", () => {
    const { out, relay } = capture();
    const chunk = Buffer.from(stream.join(''));
    const round = relay.round(() => false);
    relayRound(round, [chunk]);
    round.end(true);
    assert.equal(out.length, stream.length);
    for (const [i, item] of out.entries()) {
      assert.ok(Array.isArray(item), `frame ${i} went as bytes`);
      assert.equal(item[0], chunk, 'a view of the chunk as it came');
      assert.equal(item[1], stream[i]);
    }
    assert.ok(relay.closed);
  });

  test('frames the relay changes, and frames not in canonical form, go as text: the same text as before', () => {
    const { out, relay } = capture();
    // Round 1: a text block, then a gateway tool call (hidden); its message_delta and message_stop are held and dropped.
    const first = relay.round((name) => name === 'gw__tool');
    relayRound(first, [
      Buffer.from(
        stream.slice(0, 2).join('') +
          stream[4]! +
          ev('content_block_start', { index: 1, content_block: { type: 'tool_use', id: 't1', name: 'gw__tool', input: {} } }) +
          ev('content_block_stop', { index: 1 }) +
          ev('message_delta', { delta: { stop_reason: 'tool_use' }, usage: { output_tokens: 4 } }) +
          ev('message_stop', {}),
      ),
    ]);
    first.end(false);
    relay.addUsage({ input_tokens: 3, output_tokens: 4 });
    // Round 2: its block 0 is the client's block 1; a CRLF frame (not what rawFrame writes) in a chunk of its own.
    const second = relay.round(() => false);
    relayRound(second, [
      Buffer.from(stream.slice(0, 2).join('')),
      Buffer.from('event: ping\r\ndata: {"type":"ping"}\r\n\r\n'),
      Buffer.from(stream.slice(3).join('')),
    ]);
    relay.addUsage({ input_tokens: 5, output_tokens: 2 });
    second.end(true);
    const moved = (type: string, extra: object) => eventFrame({ type, index: 1, ...extra });
    assert.deepEqual(
      out.map((o) => (typeof o === 'string' ? ['text', o] : ['bytes', o[1]])),
      [
        ['bytes', stream[0]],
        ['bytes', stream[1]],
        ['bytes', stream[4]],
        ['text', moved('content_block_start', { content_block: { type: 'text', text: '' } })],
        ['text', rawFrame('ping', '{"type":"ping"}')],
        ['text', moved('content_block_delta', { delta: { type: 'text_delta', text: 'hi' } })],
        ['text', moved('content_block_stop', {})],
        [
          'text',
          eventFrame({
            type: 'message_delta',
            delta: { stop_reason: 'end_turn' },
            usage: { output_tokens: 6, input_tokens: 8, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
          }),
        ],
        ['bytes', stream[6]],
      ],
    );
  });

  test('a frame split across chunks goes as text, and so does the rest of its chunk; UTF-8 text in one chunk as bytes', () => {
    const { out, relay } = capture();
    const round = relay.round(() => false);
    const body = Buffer.from(stream.join(''));
    relayRound(round, [body.subarray(0, 20), body.subarray(20)]);
    round.end(true);
    assert.ok(out.every((o) => typeof o === 'string'));
    assert.equal(out.join(''), stream.join(''));
    const accents = capture();
    const again = accents.relay.round(() => false);
    const text = stream.join('').replace('"hi"', '"hé"');
    relayRound(again, [Buffer.from(text)]);
    again.end(true);
    assert.ok(accents.out.every((o) => typeof o !== 'string'));
    assert.equal(accents.out.map((o) => o[1]).join(''), text);
  });
});
