// readPlainResults: a stdio client reads every line as the SDK's own ReadBuffer does (the same
// messages, the same skipped lines and errors), plain result responses without the message schema.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { handPlainResults, plainResultResponse, readPlainResults } from './stdio-read.js';

type Buffered = { append(chunk: Buffer): void; readMessage(): unknown };
const bufferOf = (t: StdioClientTransport) => (t as unknown as { _readBuffer: Buffered })._readBuffer;

/** Every message (or the error) each reader gives for `text`, fed in two chunks. */
function readAll(text: string, patched: boolean): unknown[] {
  const transport = new StdioClientTransport({ command: 'true' });
  if (patched) assert.ok(readPlainResults(transport), 'SDK 2.4.0 ReadBuffer found');
  const buffer = bufferOf(transport);
  const out: unknown[] = [];
  const bytes = Buffer.from(text);
  for (const chunk of [bytes.subarray(0, 7), bytes.subarray(7)]) {
    buffer.append(chunk);
    for (;;) {
      try {
        const m = buffer.readMessage();
        if (m === null) break;
        out.push(m);
      } catch (err) {
        out.push(`error: ${(err as Error).message}`);
      }
    }
  }
  return out;
}

const LINES = [
  { jsonrpc: '2.0', id: 1, result: { content: [{ type: 'text', text: 'Echo: ping' }] } },
  { jsonrpc: '2.0', id: 'a', result: {} },
  { jsonrpc: '2.0', id: 2, result: { _meta: { 'io.modelcontextprotocol/serverInfo': 5 }, content: [] } },
  { jsonrpc: '2.0', id: 3, result: { tools: [] }, extra: true },
  { jsonrpc: '2.0', id: 4.5, result: {} },
  { jsonrpc: '2.0', id: 5, error: { code: -1, message: 'no' } },
  { jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: 'x' } },
  { jsonrpc: '2.0', id: 6, method: 'ping' },
  { jsonrpc: '1.0', id: 7, result: {} },
];

describe('readPlainResults', () => {
  test('the same messages, skipped lines and errors as the SDK ReadBuffer', () => {
    const text = `${LINES.map((l) => JSON.stringify(l)).join('\n')}\nnot json\r\n${JSON.stringify(LINES[0])}\r\n{"jsonrpc":"2.0","id":8,"res`;
    const sdk = readAll(text, false);
    assert.equal(sdk.length, 10);
    assert.deepEqual(readAll(text, true), sdk);
  });

  test('what is a plain result response', () => {
    assert.ok(plainResultResponse({ jsonrpc: '2.0', id: 1, result: { content: [] } }));
    assert.ok(!plainResultResponse({ jsonrpc: '2.0', id: 1, result: { _meta: {} } }));
    assert.ok(!plainResultResponse({ jsonrpc: '2.0', id: 1, result: [] }));
    assert.ok(!plainResultResponse({ jsonrpc: '2.0', id: null, result: {} }));
    assert.ok(!plainResultResponse(JSON.parse('{"jsonrpc":"2.0","id":1,"result":{"__proto__":{}}}')));
  });
});

describe('handPlainResults', () => {
  /** Where each message of `text` goes once handed: taken (by id), to onmessage, or to onerror. */
  function route(text: string, taken: (id: unknown) => boolean) {
    const transport = new StdioClientTransport({ command: 'true' });
    assert.ok(readPlainResults(transport));
    const seen: string[] = [];
    assert.ok(
      handPlainResults(transport, (m) => {
        const id = (m as { id: unknown }).id;
        if (!taken(id)) return false;
        seen.push(`taken ${String(id)}`);
        return true;
      }),
    );
    transport.onmessage = (m) => void seen.push(`sdk ${JSON.stringify(m)}`);
    transport.onerror = (e) => void seen.push(`error ${e.message}`);
    bufferOf(transport).append(Buffer.from(text));
    (transport as unknown as { processReadBuffer(): void }).processReadBuffer();
    return seen;
  }

  test('plain results go to take; what it leaves, and every other message or error, to the SDK as before', () => {
    const text = `${LINES.map((l) => JSON.stringify(l)).join('\n')}\n{"jsonrpc":"2.0","id":9,"result":{"content":[]}}\n`;
    const seen = route(text, (id) => id === 1 || id === 'a');
    assert.deepEqual(seen.slice(0, 2), ['taken 1', 'taken a']);
    // Not plain (a _meta, an extra key, a fractional id, an error, a request, a notification, jsonrpc 1.0: the
    // schema's error) and a plain one nothing took: onmessage and onerror, in order, as the SDK's reader.
    assert.equal(seen.length, LINES.length + 1);
    assert.match(seen[2]!, /^sdk .*"id":2/);
    assert.ok(seen.slice(3).some((s) => s.startsWith('error ')));
    assert.equal(seen.at(-1), 'sdk {"jsonrpc":"2.0","id":9,"result":{"content":[]}}');
  });

  test('a transport not read by readPlainResults is left alone', () => {
    const transport = new StdioClientTransport({ command: 'true' });
    assert.equal(
      handPlainResults(transport, () => true),
      false,
    );
  });
});
