// SessionTransport: the short way for one plain request of a 2025 session (its answer as JSON text
// when it comes alone), the SDK's event stream as soon as anything else comes first, and the SDK's
// own handling of everything else.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { Server } from '@modelcontextprotocol/server';
import { SessionTransport } from './session-transport.js';
import { surelyLegacy } from './plain-request.js';

const HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
const AUTH = { token: '', clientId: 'k', scopes: [] };

/** A server whose tools/call answers `{ text }` after what `before` sends (progress, a log). */
async function session(
  before?: (ctx: { mcpReq: { notify(n: object): Promise<void> } }) => Promise<void>,
  hold?: Promise<void>,
  direct = false,
  keepAliveMs?: number,
) {
  const server = new Server({ name: 't', version: '1' }, { capabilities: { tools: {} } });
  server.setRequestHandler('tools/list', () => ({ tools: [] }));
  server.setRequestHandler('tools/call', async (req, ctx) => {
    await before?.(ctx as never);
    await hold;
    return { content: [{ type: 'text', text: `called ${req.params.name}` }] };
  });
  const transport = new SessionTransport({ sessionIdGenerator: () => 'sid-1', ...(keepAliveMs ? { keepAliveMs } : {}) });
  const errors: string[] = [];
  if (direct) await transport.connectTo(server);
  else await server.connect(transport);
  transport.onerror = (e) => void errors.push(e.message);
  const init = await transport.handleRequest(new Request('http://x/mcp', { method: 'POST', headers: HEADERS, body: '{}' }), {
    parsedBody: {
      jsonrpc: '2.0',
      id: 0,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'c', version: '1' } },
    },
  });
  await init.text();
  const request = new Request('http://x/mcp', {
    method: 'POST',
    headers: { ...HEADERS, 'mcp-session-id': 'sid-1', 'mcp-protocol-version': '2025-06-18' },
  });
  return { server, transport, request, errors };
}

const call = (id: number, extra: object = {}) => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name: 'x', arguments: {} },
  ...extra,
});

describe('SessionTransport', () => {
  test('a plain request whose answer comes alone: the answer as JSON text, no event stream', async () => {
    const { transport, request } = await session();
    const answer = await transport.serve(request, call(1), AUTH, new EventEmitter() as never);
    assert.ok(!(answer instanceof Response), 'not a Response: the JSON text itself');
    assert.equal(answer.status, 200);
    assert.equal(answer.sessionId, 'sid-1');
    assert.deepEqual(JSON.parse(answer.json), { result: { content: [{ type: 'text', text: 'called x' }] }, jsonrpc: '2.0', id: 1 });
  });

  test('connectTo: plain requests go to the server request entry, not onmessage, with the same answers', async () => {
    const { transport, request } = await session(undefined, undefined, true);
    // If the SDK no longer has Protocol._onrequest, the short way keeps using onmessage (slower, same answers).
    assert.ok(transport.dispatchesDirectly, 'SDK 2.4.0: Protocol._onrequest found');
    const seen: unknown[] = [];
    const onmessage = transport.onmessage!;
    transport.onmessage = (m, e) => {
      seen.push(m);
      onmessage(m, e);
    };
    const answer = await transport.serve(request, call(1), AUTH, new EventEmitter() as never);
    assert.ok(!(answer instanceof Response));
    assert.deepEqual(JSON.parse(answer.json), { result: { content: [{ type: 'text', text: 'called x' }] }, jsonrpc: '2.0', id: 1 });
    assert.deepEqual(seen, []);
    const other = await session(
      async (ctx) => {
        await ctx.mcpReq.notify({ method: 'notifications/progress', params: { progressToken: 't', progress: 1 } });
      },
      undefined,
      true,
    );
    const streamed = await other.transport.serve(
      other.request,
      call(2, { params: { name: 'x', _meta: { progressToken: 't' } } }),
      AUTH,
      new EventEmitter() as never,
    );
    assert.ok(streamed instanceof Response);
    const events = (await streamed.text()).split('\n\n').filter(Boolean);
    assert.equal(events.length, 2);
    assert.match(events[0]!, /notifications\/progress/);
    assert.match(events[1]!, /"id":2/);
  });

  test('a notification before the answer: the SDK event stream, with both in order', async () => {
    const { transport, request } = await session(async (ctx) => {
      await ctx.mcpReq.notify({ method: 'notifications/progress', params: { progressToken: 't', progress: 1 } });
    });
    const answer = await transport.serve(
      request,
      call(2, { params: { name: 'x', _meta: { progressToken: 't' } } }),
      AUTH,
      new EventEmitter() as never,
    );
    assert.ok(answer instanceof Response);
    assert.equal(answer.headers.get('content-type'), 'text/event-stream');
    assert.equal(answer.headers.get('mcp-session-id'), 'sid-1');
    const text = await answer.text();
    const events = text.split('\n\n').filter(Boolean);
    assert.equal(events.length, 2);
    assert.match(events[0]!, /notifications\/progress/);
    assert.match(events[1]!, /"id":2/);
  });

  test('anything else goes through the SDK handleRequest: its refusals, batches, other _meta (still JSON when alone)', async () => {
    const { transport, request } = await session();
    const refused = await transport.serve(request, call(3, { extra: true }), AUTH, new EventEmitter() as never);
    assert.ok(refused instanceof Response);
    assert.equal(refused.status, 400, 'the SDK refuses a message with a key it does not know');
    assert.equal(((await refused.json()) as { error: { code: number } }).error.code, -32700);
    const answer = await transport.serve(
      request,
      call(8, { params: { name: 'x', _meta: { other: 1 } } }),
      AUTH,
      new EventEmitter() as never,
    );
    assert.ok(!(answer instanceof Response));
    assert.equal(JSON.parse(answer.json).id, 8);
    const batch = await transport.serve(request, [call(4), call(5)], AUTH, new EventEmitter() as never);
    assert.ok(batch instanceof Response, 'a batch is the SDK answer as it is');
    assert.equal((await batch.text()).split('\n\n').filter(Boolean).length, 2);
  });

  test('a client that leaves before the answer: the answer is reported undeliverable, as the SDK does', async () => {
    let release!: () => void;
    const { transport, request, errors } = await session(undefined, new Promise<void>((r) => (release = r)));
    const outgoing = new EventEmitter();
    const answered = transport.serve(request, call(6), AUTH, outgoing as never);
    outgoing.emit('close');
    const answer = await answered;
    assert.ok(answer instanceof Response && answer.body === null);
    release();
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(errors, [
      'Response for request ID 6 is undeliverable: per-request stream is disconnected and no eventStore is configured',
    ]);
  });

  test('reaches: a call is reachable while its POST, or the event stream it became, is open; not once its client left', async () => {
    let release!: () => void;
    const hold = new Promise<void>((r) => (release = r));
    const quick = await session(undefined, hold);
    const outgoing = new EventEmitter();
    const answered = quick.transport.serve(quick.request, call(9), AUTH, outgoing as never);
    assert.equal(quick.transport.reaches(9), true, 'its POST is open');
    outgoing.emit('close');
    await answered;
    assert.equal(quick.transport.reaches(9), false, 'its client left');
    const streamed = await session(async (ctx) => {
      await ctx.mcpReq.notify({ method: 'notifications/progress', params: { progressToken: 't', progress: 1 } });
    }, hold);
    const answer = await streamed.transport.serve(
      streamed.request,
      call(10, { params: { name: 'x', _meta: { progressToken: 't' } } }),
      AUTH,
      new EventEmitter() as never,
    );
    assert.ok(answer instanceof Response);
    assert.equal(streamed.transport.reaches(10), true, 'its event stream is open');
    await answer.body!.cancel();
    assert.equal(streamed.transport.reaches(10), false, 'its client let go of the event stream');
    assert.equal(streamed.transport.reaches(11), false, 'no such request');
    release();
  });

  test('the session closing while a call waits ends it with an empty event stream', async () => {
    const { transport, request } = await session(undefined, new Promise<void>(() => undefined));
    const answered = transport.serve(request, call(7), AUTH, new EventEmitter() as never);
    await new Promise((r) => setTimeout(r, 10));
    await transport.close();
    const answer = await answered;
    assert.ok(answer instanceof Response);
    assert.equal(answer.headers.get('content-type'), 'text/event-stream');
    assert.equal(answer.body, null);
  });
  test('a call still waiting after the keep-alive interval: the event stream, the keep-alive comment first, then the answer', async () => {
    let release!: () => void;
    const { transport, request } = await session(undefined, new Promise<void>((r) => (release = r)), false, 50);
    // The keep-alive timer does not hold the process open (unref, as the SDK's): this does, meanwhile.
    const awake = setInterval(() => undefined, 1000);
    const answer = await transport.serve(request, call(1), AUTH, new EventEmitter() as never);
    assert.ok(answer instanceof Response);
    release();
    const text = await answer.text();
    assert.ok(text.startsWith(': keepalive\n\n'), text);
    clearInterval(awake);
    assert.match(text, /event: message\ndata: \{"result":\{"content":\[\{"type":"text","text":"called x"\}\]\},"jsonrpc":"2.0","id":1\}/);
  });

  test('waiting calls share one keep-alive timer, each call due the interval after it started', async (t) => {
    let release!: () => void;
    const { transport, request } = await session(undefined, new Promise<void>((r) => (release = r)), false, 600);
    // The keep-alive timer does not hold the process open (unref, as the SDK's): this does, meanwhile.
    const awake = setInterval(() => undefined, 1000);
    try {
      const armed = t.mock.method(globalThis, 'setTimeout');
      const keepAliveTimers = () => armed.mock.calls.filter((c) => Number(c.arguments[1]) > 0 && Number(c.arguments[1]) <= 600).length;
      const first = transport.serve(request, call(1), AUTH, new EventEmitter() as never);
      assert.equal(keepAliveTimers(), 1);
      await sleep(300);
      let secondDone = false;
      const second = transport.serve(request, call(2), AUTH, new EventEmitter() as never).finally(() => (secondDone = true));
      const third = transport.serve(request, call(3), AUTH, new EventEmitter() as never);
      assert.equal(keepAliveTimers(), 1, 'no timer of their own');
      assert.ok((await first) instanceof Response);
      assert.equal(secondDone, false, 'the second is not due yet');
      assert.ok((await second) instanceof Response);
      assert.ok((await third) instanceof Response);
    } finally {
      clearInterval(awake);
      release();
    }
  });
});

describe('surelyLegacy', () => {
  test('never says legacy where the SDK isLegacyRequest would not', async () => {
    const { isLegacyRequest } = await import('@modelcontextprotocol/server');
    const bodies: unknown[] = [
      call(1),
      call(2, { params: { name: 'x', _meta: { progressToken: 't' } } }),
      call(3, { params: { name: 'x', _meta: { 'io.modelcontextprotocol/protocolVersion': '2026-07-28' } } }),
      call(4, { params: { name: 'x', _meta: { progressToken: 1.5 } } }),
      { jsonrpc: '2.0', id: 5, method: 'initialize', params: { protocolVersion: '2025-06-18' } },
      { jsonrpc: '2.0', method: 'notifications/initialized' },
      { jsonrpc: '2.0', id: 6, result: {} },
      [call(7), call(8)],
      call(9, { extra: 1 }),
      { jsonrpc: '2.0', id: 10, method: 'tools/list' },
    ];
    const versions = [null, '2025-06-18', '2025-11-25', '2026-07-28', ' 2025-06-18', '2027-01-01', 'junk'];
    let sure = 0;
    for (const body of bodies) {
      for (const version of versions) {
        const headers: Record<string, string> = { ...HEADERS };
        if (version !== null) headers['mcp-protocol-version'] = version;
        const request = new Request('http://x/mcp', { method: 'POST', headers });
        if (!surelyLegacy(body, version)) continue;
        sure++;
        assert.equal(await isLegacyRequest(request, body), true, `${JSON.stringify(body)} with ${version}`);
      }
    }
    assert.ok(sure >= 8, 'the plain requests under no or a 2025 header are known without the SDK');
    assert.equal(surelyLegacy(call(1), '2026-07-28'), false);
    assert.equal(
      surelyLegacy(call(3, { params: { name: 'x', _meta: { 'io.modelcontextprotocol/protocolVersion': '2026-07-28' } } }), null),
      false,
    );
  });
});
