// Bench entry: the Messages pass-through path (POST /v1/messages to an Anthropic-type provider: the
// client's bytes with only `model` rewritten, the answer relayed as it came). Latency of the same
// body sent straight to a canned Anthropic upstream and through a gateway, JSON and SSE, interleaved.
// Self-contained: its own loopback Anthropic mock (in this process: it only writes canned bytes) and
// its own gateway process with one anthropic provider and a plain key.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { interleavedLatency, type Endpoint } from './load.js';
import { startGatewayProc } from './stack.js';
import { summarize, type Summary } from './stats.js';

const KEY = 'vk-bench-messages-0001';
const MESSAGE = JSON.stringify({
  id: 'msg_bench',
  type: 'message',
  role: 'assistant',
  model: 'claude-bench',
  content: [{ type: 'text', text: 'Hello, benchmark.' }],
  stop_reason: 'end_turn',
  stop_sequence: null,
  usage: { input_tokens: 20, output_tokens: 5, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
});
const ev = (type: string, data: object) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
const STREAM = [
  ev('message_start', {
    message: { ...JSON.parse(MESSAGE), content: [], stop_reason: null, usage: { input_tokens: 20, output_tokens: 1 } },
  }),
  ev('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
  ev('ping', {}),
  ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'Hello, ' } }),
  ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'benchmark.' } }),
  ev('content_block_stop', { index: 0 }),
  ev('message_delta', { delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 5 } }),
  ev('message_stop', {}),
].join('');

function startAnthropicMock(): Promise<Server> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => void (body += c));
    req.on('end', () => {
      if (body.includes('"stream":true')) res.writeHead(200, { 'content-type': 'text/event-stream' }).end(STREAM);
      else res.writeHead(200, { 'content-type': 'application/json' }).end(MESSAGE);
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const body = (model: string, stream: boolean) =>
  JSON.stringify({
    model,
    max_tokens: 64,
    ...(stream ? { stream: true } : {}),
    messages: [{ role: 'user', content: 'Say hello to the benchmark.' }],
  });

const endpoint = (name: string, origin: string, payload: string, key?: string): Endpoint => ({
  name,
  origin,
  path: '/v1/messages',
  headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', ...(key ? { 'x-api-key': key } : {}) },
  body: payload,
});

export async function benchMessagesPassThrough(dir: string, n: number, warmup: number): Promise<Record<string, Summary>> {
  const mock = await startAnthropicMock();
  const upstream = `http://127.0.0.1:${(mock.address() as AddressInfo).port}`;
  const configPath = join(dir, 'tollgate.bench-messages.json');
  writeFileSync(
    configPath,
    JSON.stringify({
      providers: {
        claude: { type: 'anthropic', baseUrl: upstream, keys: [{ value: 'sk-ant-bench' }], models: ['claude-bench'], maxRetries: 0 },
      },
      pricing: { 'claude/claude-bench': { inputPerMTok: 3, outputPerMTok: 15 } },
      virtualKeys: [{ id: 'bench-messages', key: KEY, models: ['claude/*'] }],
      ledger: { payloads: false },
    }),
  );
  const gw = await startGatewayProc({ name: 'gateway-messages', configPath, dbPath: join(dir, 'messages.db') });
  try {
    const samples = await interleavedLatency(
      [
        endpoint('direct-messages', upstream, body('claude-bench', false)),
        endpoint('gateway-messages', gw.url, body('claude/claude-bench', false), KEY),
        endpoint('direct-messages-stream', upstream, body('claude-bench', true)),
        endpoint('gateway-messages-stream', gw.url, body('claude/claude-bench', true), KEY),
      ],
      n,
      warmup,
    );
    return Object.fromEntries([...samples].map(([k, v]) => [k, summarize(v)]));
  } finally {
    await gw.stop();
    mock.close();
  }
}
