// Wide bodies on /mcp: one POST within maxBodyBytes (4 MiB) can hold a 400,000-key `params._meta`
// (an open object in the MCP schema: the SDK's request schemas copy every key, in each of the
// several zod parses a request goes through) or `params.arguments`, or a JSON-RPC batch of tens of
// thousands of messages. Measured as in wide-bodies.test.ts: CPU time of handling the POST (which
// includes reading and parsing its body once) against JSON.parse of the same body, best of a few
// runs of each, interleaved, so load on the machine cancels out.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { bareEndpoint, cpuMs, streamableSession } from '../helpers/mcp-bare-endpoint.js';

const BYTES = 3_900_000;

function wide(bytes: number): Record<string, string> {
  const o: Record<string, string> = {};
  for (let i = 0, size = 2; size < bytes; i++) {
    const key = `k${i.toString(36)}`;
    o[key] = '';
    size += key.length + 6;
  }
  return o;
}

// The wide object's JSON, built once: each case sends it 3 times with a fresh id, and building and
// stringifying 400,000 keys cost about what handling the POST does (12 builds were ~a third of the
// file's CPU). The bodies are the same bytes as JSON.stringify of the object in place.
let wideJson: string | undefined;
const WIDE = () => (wideJson ??= JSON.stringify(wide(BYTES)));

/** A bare /mcp endpoint with one open session: post() sends a body on it. */
async function gateway() {
  const { app, got } = bareEndpoint();
  const { post } = await streamableSession(app);
  return { got, post };
}

let id = 1;
/** A request whose params are `params` (JSON text), as JSON.stringify would write it. */
const request = (method: string, params: string) => `{"jsonrpc":"2.0","id":${id++},"method":"${method}","params":${params}}`;

const cases: {
  name: string;
  body: () => string;
  bound: number;
  check(res: { status: number; text: string }, got: { args: string }[]): void;
}[] = [
  {
    name: 'tools/call with a 400,000-key _meta',
    body: () => request('tools/call', `{"name":"fx__echo","arguments":{},"_meta":{"progressToken":1,${WIDE().slice(1)}}`),
    bound: 3,
    check: (res) => assert.match(res.text, /"text":"hi"/),
  },
  {
    name: 'tools/list with a 400,000-key _meta',
    body: () => request('tools/list', `{"_meta":${WIDE()}}`),
    bound: 3,
    check: (res) => assert.match(res.text, /fx__echo/),
  },
  {
    // Not cut: the tool gets every argument. 3.8× JSON.parse at load ~4: the SDK's dispatch copies
    // the record (1.3×), and the call path stringifies the arguments and parses them again (the
    // chat loop's form), besides reading the body. A guard against the SDK's extra parses coming
    // back (before the tools/call short way, 11×).
    name: 'tools/call with 400,000 arguments',
    body: () => request('tools/call', `{"name":"fx__echo","arguments":${WIDE()}}`),
    bound: 6,
    check: (res, got) => {
      assert.match(res.text, /"text":"hi"/);
      // The tool gets the arguments as JSON text: the same keys, in the same order, as were sent.
      assert.ok(got.at(-1)!.args === WIDE(), 'the tool gets every argument');
    },
  },
  {
    // Refused (the SDK transport takes at most 100 messages), as the SDK refuses it.
    name: 'a batch of 40,000 notifications',
    body: () => JSON.stringify(Array.from({ length: 40_000 }, () => ({ jsonrpc: '2.0', method: 'notifications/initialized' }))),
    bound: 3,
    check: (res) => {
      assert.equal(res.status, 400);
      assert.deepEqual(JSON.parse(res.text), {
        jsonrpc: '2.0',
        error: { code: -32600, message: 'Invalid Request: Batch must not exceed 100 messages' },
        id: null,
      });
    },
  },
];

describe('wide bodies on /mcp: handling a POST costs of the order of JSON.parse of its body', () => {
  for (const c of cases)
    test(c.name, async () => {
      const gw = await gateway();
      let handle = Infinity;
      let parse = Infinity;
      for (let i = 0; i < 3; i++) {
        const text = c.body();
        assert.ok(text.length <= 4 * 1024 * 1024, 'within maxBodyBytes');
        parse = Math.min(parse, await cpuMs(async () => JSON.parse(text)));
        let res!: { status: number; text: string };
        handle = Math.min(handle, await cpuMs(async () => (res = await gw.post(text))));
        c.check(res, gw.got);
      }
      console.log(`${c.name}: handling ${handle.toFixed(1)} ms CPU, JSON.parse ${parse.toFixed(1)} ms (${(handle / parse).toFixed(1)}×)`);
      assert.ok(handle <= c.bound * parse, `handling ${handle.toFixed(1)} ms CPU, JSON.parse ${parse.toFixed(1)} ms (bound ${c.bound}×)`);
    });
});
