import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { aloneResponse, type ClientGone, readWhenAlone } from './json-answer.js';

/** The SDK's answer as the Hono route sends it: JSON when it came alone, else as read. */
const answerAsJsonWhenAlone = async (response: Response, clientGone?: ClientGone): Promise<Response> => {
  const read = await readWhenAlone(response, clientGone);
  return read instanceof Response ? read : aloneResponse(read);
};

const encoder = new TextEncoder();
const event = (message: object) => encoder.encode(`event: message\ndata: ${JSON.stringify(message)}\n\n`);
const SSE_HEADERS = { 'content-type': 'text/event-stream', 'cache-control': 'no-cache, no-transform', 'mcp-session-id': 's-1' };

/** An SSE answer like the SDK transport's, and the controller to write it as the call goes. */
function sdkAnswer() {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c) });
  return { response: new Response(body, { status: 200, headers: SSE_HEADERS }), controller };
}

const answer = { result: { content: [{ type: 'text', text: 'Echo: ping' }] }, jsonrpc: '2.0', id: 7 };
const progress = { method: 'notifications/progress', params: { progressToken: 1, progress: 1 }, jsonrpc: '2.0' };

describe('answerAsJsonWhenAlone', () => {
  test('an answer that came alone (the SDK wrote it and closed the stream) is sent as JSON', async () => {
    const { response, controller } = sdkAnswer();
    const answered = answerAsJsonWhenAlone(response);
    controller.enqueue(event(answer));
    controller.close();
    const res = await answered;
    assert.equal(res.headers.get('content-type'), 'application/json');
    assert.equal(res.headers.get('mcp-session-id'), 's-1', 'the session id travels with it');
    assert.deepEqual(await res.json(), answer);
  });

  test('something sent before the answer (progress) makes it SSE at once, with everything in order', async () => {
    const { response, controller } = sdkAnswer();
    const answered = answerAsJsonWhenAlone(response);
    controller.enqueue(event(progress));
    // The answer does not exist yet: the client must already have its stream and the progress.
    const res = await answered;
    assert.equal(res.headers.get('content-type'), 'text/event-stream');
    assert.equal(res.headers.get('mcp-session-id'), 's-1');
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    assert.equal(decoder.decode((await reader.read()).value), `event: message\ndata: ${JSON.stringify(progress)}\n\n`);
    controller.enqueue(event(answer));
    controller.close();
    assert.equal(decoder.decode((await reader.read()).value), `event: message\ndata: ${JSON.stringify(answer)}\n\n`);
    assert.equal((await reader.read()).done, true);
  });

  test('a message and the answer written in one turn are both kept, as SSE', async () => {
    const { response, controller } = sdkAnswer();
    controller.enqueue(event(progress));
    controller.enqueue(event(answer));
    controller.close();
    const res = await answerAsJsonWhenAlone(response);
    assert.equal(res.headers.get('content-type'), 'text/event-stream');
    assert.equal(
      await res.text(),
      `event: message\ndata: ${JSON.stringify(progress)}\n\nevent: message\ndata: ${JSON.stringify(answer)}\n\n`,
    );
  });

  test('an event with an id (resumable streams) stays SSE', async () => {
    const { response, controller } = sdkAnswer();
    controller.enqueue(encoder.encode(`event: message\nid: e1\ndata: ${JSON.stringify(answer)}\n\n`));
    controller.close();
    const res = await answerAsJsonWhenAlone(response);
    assert.equal(res.headers.get('content-type'), 'text/event-stream');
    assert.match(await res.text(), /^event: message\nid: e1\n/);
  });

  test('a client that goes away cancels the SDK stream underneath', async () => {
    let cancelled: unknown;
    const body = new ReadableStream<Uint8Array>({
      start: (c) => c.enqueue(event(progress)),
      cancel: (reason) => void (cancelled = reason ?? 'cancelled'),
    });
    const res = await answerAsJsonWhenAlone(new Response(body, { headers: SSE_HEADERS }));
    await res.body!.cancel('gone');
    assert.equal(cancelled, 'gone');
  });

  test('a JSON answer (an error the transport wrote itself) passes through untouched', async () => {
    const original = Response.json({ jsonrpc: '2.0', error: { code: -32001, message: 'Session not found' }, id: null }, { status: 404 });
    assert.equal(await answerAsJsonWhenAlone(original), original);
  });

  test('a client that leaves before anything was sent releases the SDK stream at once', async () => {
    let cancelled = false;
    const body = new ReadableStream<Uint8Array>({ cancel: () => void (cancelled = true) });
    const gone = new AbortController();
    const answered = answerAsJsonWhenAlone(new Response(body, { headers: SSE_HEADERS }), gone.signal);
    gone.abort();
    const res = await answered;
    assert.equal(cancelled, true);
    assert.equal(res.headers.get('content-type'), 'text/event-stream', 'nothing to turn into JSON');
  });

  test('served by Node: the response closing before anything was sent releases the SDK stream too, and is let go after', async () => {
    let cancelled = false;
    const body = new ReadableStream<Uint8Array>({ cancel: () => void (cancelled = true) });
    const outgoing = new EventEmitter();
    const answered = answerAsJsonWhenAlone(new Response(body, { headers: SSE_HEADERS }), outgoing);
    outgoing.emit('close');
    await answered;
    assert.equal(cancelled, true);
    assert.equal(outgoing.listenerCount('close'), 0);

    const { response, controller } = sdkAnswer();
    const served = new EventEmitter();
    const answered2 = answerAsJsonWhenAlone(response, served);
    controller.enqueue(event(answer));
    controller.close();
    const json = await answered2;
    assert.equal(json.headers.get('content-type'), 'application/json');
    assert.equal(served.listenerCount('close'), 0, 'no listener left on the response once the answer is read');
  });
});
