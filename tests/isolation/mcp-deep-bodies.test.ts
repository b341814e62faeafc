// Deeply nested bodies on /mcp, as on the /v1 routes (README, Guarantees: Hostile clients): a body
// nested deeper than 128 levels is refused before anything reads it, a JSON-RPC 400 (-32600) that
// says so. Before, /mcp took any depth: tool arguments nested a few thousand levels deep overflowed
// the stack where the call path stringifies them, the client got -32603 "Maximum call stack size
// exceeded" (the process kept serving) and the call had no ledger row.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bareEndpoint, streamableSession } from '../helpers/mcp-bare-endpoint.js';

const call = (id: number, args: string) =>
  `{"jsonrpc":"2.0","id":${id},"method":"tools/call","params":{"name":"fx__echo","arguments":${args}}}`;
const nested = (depth: number) => `{"a":${'['.repeat(depth)}${']'.repeat(depth)}}`;

test('tools/call arguments nested 5,000 and 100,000 levels deep: 400 -32600 naming the depth, the tool not called', async () => {
  const { app, got } = bareEndpoint();
  const { post } = await streamableSession(app);
  for (const depth of [5_000, 100_000]) {
    const res = await post(call(depth, nested(depth)));
    assert.equal(res.status, 400, res.text);
    const body = JSON.parse(res.text);
    assert.equal(body.error.code, -32600, res.text);
    assert.match(body.error.message, /deeper than 128 levels/);
  }
  assert.equal(got.length, 0, 'the tool was not called');
  // Within the bound the call runs as before.
  const ok = await post(call(1, nested(100)));
  assert.equal(ok.status, 200);
  assert.match(ok.text, /"text":"hi"/);
  assert.equal(got.length, 1);
});
