// FrameSpans lets a pass-through relay write an upstream event's own bytes instead of the frame it
// would make for it. The client must get the same bytes either way: random SSE bodies (canonical
// frames mixed with every form that is not: CRLF, no space, comments, id lines, multi-line data,
// events without a name, multi-byte and invalid UTF-8, a byte-order mark), cut at random bytes, are
// relayed through relayStream both ways and compared; and a canonical read is its own bytes.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { relayStream, type RelaySpan } from '../chat/native-upstream.js';
import { streamOf, type UpstreamResponse } from './client.js';

const frame = (type: string, data: string) => `event: ${type}\ndata: ${data}\n\n`;

/** What a relay writes for a body read in `chunks`: each event's bytes when it has a span (if `spans`), else its frame. */
async function relayed(chunks: (Buffer | string)[], spans: boolean): Promise<{ out: Buffer; fromBytes: number }> {
  const out: Buffer[] = [];
  let fromBytes = 0;
  const body = Readable.from(chunks) as unknown as UpstreamResponse['body'];
  await relayStream(
    streamOf({ status: 200, headers: {}, body }, 60_000),
    'http://up',
    new AbortController().signal,
    (type: string | undefined, data: string, span: RelaySpan) => {
      if (type === undefined) return void out.push(Buffer.from(`:${data}\n\n`));
      if (spans && span.chunk) {
        fromBytes++;
        out.push(span.chunk.subarray(span.start, span.end));
      } else out.push(Buffer.from(frame(type, data)));
    },
  );
  return { out: Buffer.concat(out), fromBytes };
}

const data = fc.constantFrom('{"a":1}', '{"t":"héllo €"}', '{"e":"😀"}', '', 'x', ' lead', 'data: nested');
const piece = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(fc.constantFrom('response.created', 'm', 'ü'), data).map(([t, d]) => frame(t, d)) },
  fc.constantFrom(
    'event: a\r\ndata: {"a":1}\r\n\r\n',
    'event:a\ndata:{"a":1}\n\n',
    'event: a\ndata: x\ndata: y\n\n',
    'data: {"no":"name"}\n\n',
    ': keep-alive\n\n',
    'id: 7\nevent: a\ndata: 1\n\n',
    'event: a\nid: 7\ndata: 1\n\n',
    'event: a\ndata: 1\n\n\n',
    '\n',
    'event: a\ndata: 1\n',
    'data: A\n',
    'event: \ndata: 1\n\n',
  ),
);
const body = fc
  .record({
    bom: fc.boolean(),
    pieces: fc.array(fc.tuple(piece, fc.integer({ min: 0, max: 40 })), { maxLength: 10 }),
  })
  .map(({ bom, pieces }) =>
    Buffer.concat([
      Buffer.from(bom ? [0xef, 0xbb, 0xbf] : []),
      ...pieces.flatMap(([text, roll]) => [Buffer.from(text), Buffer.from(roll === 0 ? [0xff] : [])]),
    ]),
  );

function chunksOf(bytes: Buffer, cuts: number[]): Buffer[] {
  const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  return [0, ...at, bytes.length].slice(1).map((end, i, ends) => bytes.subarray(i === 0 ? 0 : ends[i - 1], end));
}

describe('FrameSpans', () => {
  test('the bytes relayed are the frames that would be made: random bodies in random chunks', async () => {
    await fc.assert(
      fc.asyncProperty(body, fc.array(fc.nat(), { maxLength: 6 }), async (bytes, cuts) => {
        const chunks = chunksOf(bytes, cuts);
        const [withSpans, without] = [await relayed(chunks, true), await relayed(chunks, false)];
        assert.deepEqual(withSpans.out, without.out);
      }),
      { numRuns: 3_000 },
    );
  });

  test('a read of canonical frames is its own bytes, ASCII or not; what follows a frame not in that form is re-framed', async () => {
    const ascii = Buffer.from(frame('response.created', '{"a":1}') + frame('response.completed', '{"b":2}'));
    assert.equal((await relayed([ascii], true)).fromBytes, 2);
    const utf8 = Buffer.from(frame('a', '{"t":"héllo €"}') + frame('ü', '{"e":"😀"}') + frame('b', '{}'));
    const { out, fromBytes } = await relayed([utf8], true);
    assert.equal(fromBytes, 3);
    assert.deepEqual(out, utf8);
    const crlf = Buffer.from(`${frame('a', '1')}event: b\r\ndata: 2\r\n\r\n${frame('c', '3')}`);
    assert.equal((await relayed([crlf], true)).fromBytes, 1);
  });

  test('a chunk read while the reader holds part of an event gets no spans, though its text looks like frames', async () => {
    // The reader joins the pending data line to the next event's: (T, "A\nX"), whose length lines up
    // with the text's frame when two blank lines follow it.
    const chunks = [Buffer.from('data: A\n'), Buffer.from('event: T\ndata: X\n\n\n\nevent: U\ndata: 1\n\n')];
    const { out, fromBytes } = await relayed(chunks, true);
    assert.equal(out.toString(), 'event: T\ndata: A\nX\n\nevent: U\ndata: 1\n\n');
    assert.equal(fromBytes, 0);
    const [first, second] = [Buffer.from('event: T\ndata: A\n\n'), Buffer.from('event: U\ndata: 1\n\n')];
    assert.equal((await relayed([first, second], true)).fromBytes, 2, 'a chunk after a whole frame is read from its start');
  });

  test('a chunk cut inside a character ends the spans for the stream (the reader may hold part of it)', async () => {
    const bytes = Buffer.from(frame('a', '{"t":"é"}') + frame('b', '{}'));
    const cut = bytes.indexOf(0xc3) + 1;
    const whole = Buffer.from(frame('c', '{}'));
    const { out, fromBytes } = await relayed([bytes.subarray(0, cut), bytes.subarray(cut), whole], true);
    assert.equal(fromBytes, 0);
    assert.deepEqual(out, Buffer.concat([bytes, whole]));
  });
});
