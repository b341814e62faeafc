// A streamed native Responses answer is relayed as the upstream's bytes when nothing changes
// (src/upstream/frame-spans.ts); whatever the form of its frames, the client reads the same stream
// it did when every event was re-framed, and an event that does not parse still ends the stream
// with the same error events and the same ledger row.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { startMockUpstream, type MockUpstream } from './mock-upstream/server.js';
import { startGateway, type TestGateway } from './helpers/gateway.js';

const VK = 'vk-native-bytes-0001';
let mock: MockUpstream;
let gw: TestGateway;

before(async () => {
  mock = await startMockUpstream();
  gw = await startGateway({
    config: {
      providers: {
        oai: {
          type: 'openai',
          baseUrl: mock.openaiBaseUrl,
          keys: [{ value: 'sk-native-secret' }],
          models: ['gpt-5'],
          apis: ['chat', 'responses'],
          maxRetries: 0,
        },
      },
      pricing: { 'oai/gpt-5': { inputPerMTok: 1, outputPerMTok: 2 } },
      virtualKeys: [{ id: 'native-bytes', key: VK, models: ['*'] }],
    },
  });
});
after(async () => {
  await gw.close();
  await mock.close();
});
beforeEach(() => mock.reset());

let seq = 0;
const ev = (type: string, fields: object, end = '\n') =>
  `event: ${type}${end}data: ${JSON.stringify({ type, sequence_number: seq++, ...fields })}${end}${end}`;
const shell = { id: 'resp_up_1', object: 'response', model: 'gpt-5', output: [] as unknown[] };
const item = { id: 'msg_1', type: 'message', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: 'hé 😀' }] };
const usage = {
  input_tokens: 7,
  input_tokens_details: { cached_tokens: 0 },
  output_tokens: 3,
  output_tokens_details: { reasoning_tokens: 0 },
  total_tokens: 10,
};

function stream(end = '\n', middle?: string): string {
  seq = 0;
  return [
    ev('response.created', { response: { ...shell, status: 'in_progress' } }, end),
    ev('response.in_progress', { response: { ...shell, status: 'in_progress' } }, end),
    ev('response.output_item.added', { output_index: 0, item: { ...item, content: [] } }, end),
    middle ?? ev('response.output_text.delta', { output_index: 0, item_id: 'msg_1', content_index: 0, delta: 'hé 😀' }, end),
    ev('response.output_item.done', { output_index: 0, item }, end),
    ev('response.completed', { response: { ...shell, status: 'completed', output: [item], usage } }, end),
  ].join('');
}

async function post(): Promise<Response> {
  return fetch(`${gw.baseURL}/responses`, {
    method: 'POST',
    headers: { authorization: `Bearer ${VK}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'oai/gpt-5', input: 'hi', stream: true }),
  });
}

test('canonical frames: the client gets the upstream bytes exactly; usage ledgered', async () => {
  const upstream = stream();
  mock.enqueue({ kind: 'raw', status: 200, body: upstream, contentType: 'text/event-stream' });
  const res = await post();
  assert.equal(res.status, 200);
  assert.deepEqual(Buffer.from(await res.arrayBuffer()), Buffer.from(upstream));
  const rows = await gw.query<{ completion_tokens: number; error_type: string | null }>(
    'SELECT completion_tokens, error_type FROM llm_calls WHERE request_id = ?',
    res.headers.get('x-request-id'),
  );
  assert.deepEqual(
    rows.map((r) => [Number(r.completion_tokens), r.error_type]),
    [[3, null]],
  );
});

test('frames in another form (CRLF) reach the client re-framed, as before', async () => {
  mock.enqueue({ kind: 'raw', status: 200, body: stream('\r\n'), contentType: 'text/event-stream' });
  const res = await post();
  assert.equal(await res.text(), stream());
});

test('an event whose data spans several data lines goes out as several data lines, as it came', async () => {
  // Valid JSON with a line break between tokens: SSE joins the lines with \n, and a frame made from
  // that data must split it again (a bare \n inside one data line would cut the event for the client).
  const upstream = stream().replace('"sequence_number":3,"output_index"', '"sequence_number":3,\ndata: "output_index"');
  assert.match(upstream, /"sequence_number":3,\ndata: "output_index"/);
  mock.enqueue({ kind: 'raw', status: 200, body: upstream, contentType: 'text/event-stream' });
  const res = await post();
  assert.equal(await res.text(), upstream);
});

test('an event that does not parse ends the stream with the error and response.failed; the round is ledgered as malformed', async () => {
  const broken = 'event: response.output_text.delta\ndata: {"type":"response.output_text.delta",\n\n';
  mock.enqueue({ kind: 'raw', status: 200, body: stream('\n', broken), contentType: 'text/event-stream' });
  const res = await post();
  const text = await res.text();
  const frames = text.split('\n\n').filter(Boolean);
  assert.deepEqual(frames.slice(0, 3), stream().split('\n\n').slice(0, 3));
  const tail = frames.slice(3).map((f) => JSON.parse(f.slice(f.indexOf('data: ') + 6)));
  assert.deepEqual(
    tail.map((e) => [e.type, e.sequence_number, e.code]),
    [
      ['error', 3, 'upstream_malformed'],
      ['response.failed', 4, undefined],
    ],
  );
  assert.equal(tail[0].message, 'upstream sent an unparsable response.output_text.delta event');
  assert.equal(tail[1].response.status, 'failed');
  const rows = await gw.query<{ error_type: string | null }>(
    'SELECT error_type FROM llm_calls WHERE request_id = ?',
    res.headers.get('x-request-id'),
  );
  assert.deepEqual(
    rows.map((r) => r.error_type),
    ['upstream_malformed'],
  );
});
