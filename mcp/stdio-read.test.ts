// readPlainResults: a stdio client reads every line as the SDK's own ReadBuffer does (the same
// messages, the same skipped lines and errors), plain result responses without the message schema.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { plainResultResponse, readPlainResults } from './stdio-read.js';

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
