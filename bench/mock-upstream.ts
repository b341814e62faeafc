// A minimal, fast OpenAI-compatible mock upstream for the bench (its own process), so the mock is
// never the bottleneck: fixed pre-serialised answers, no JSON parsing of requests, string checks
// only. The scripted tests/mock-upstream server is richer but far too slow to measure a gateway.
//   node dist/bench/mock-upstream.js   → prints {"port":N} on stdout when listening
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TOOL_MARKER, TOOL_NAME } from './constants.js';

const created = 1_700_000_000;
const usage = { prompt_tokens: 12, completion_tokens: 9, total_tokens: 21 };

const textCompletion = JSON.stringify({
  id: 'chatcmpl-bench',
  object: 'chat.completion',
  created,
  model: 'bench-model',
  choices: [
    {
      index: 0,
      message: { role: 'assistant', content: 'Hello from the bench upstream.', refusal: null },
      finish_reason: 'stop',
      logprobs: null,
    },
  ],
  usage,
});

const toolCallCompletion = JSON.stringify({
  id: 'chatcmpl-bench-tool',
  object: 'chat.completion',
  created,
  model: 'bench-model',
  choices: [
    {
      index: 0,
      message: {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'call_bench_1', type: 'function', function: { name: TOOL_NAME, arguments: '{"message":"ping"}' } }],
        refusal: null,
      },
      finish_reason: 'tool_calls',
      logprobs: null,
    },
  ],
  usage,
});

const chunk = (delta: object, finish: string | null, withUsage = false): string =>
  `data: ${JSON.stringify({ id: 'chatcmpl-bench', object: 'chat.completion.chunk', created, model: 'bench-model', choices: [{ index: 0, delta, finish_reason: finish }], ...(withUsage ? { usage } : {}) })}\n\n`;

// Five content chunks, a finish chunk with usage, [DONE]: the usual shape of a short answer.
const textStream = [
  chunk({ role: 'assistant', content: '' }, null),
  ...['Hello', ' from', ' the', ' bench', ' upstream.'].map((t) => chunk({ content: t }, null)),
  chunk({}, 'stop', true),
  'data: [DONE]\n\n',
].join('');

const toolStream = [
  chunk(
    {
      role: 'assistant',
      content: null,
      tool_calls: [{ index: 0, id: 'call_bench_1', type: 'function', function: { name: TOOL_NAME, arguments: '' } }],
    },
    null,
  ),
  chunk({ tool_calls: [{ index: 0, function: { arguments: '{"message":"ping"}' } }] }, null),
  chunk({}, 'tool_calls', true),
  'data: [DONE]\n\n',
].join('');

const answers = {
  text: Buffer.from(textCompletion),
  tool: Buffer.from(toolCallCompletion),
  textStream: Buffer.from(textStream),
  toolStream: Buffer.from(toolStream),
};

const jsonHeaders = (len: number) => ({ 'content-type': 'application/json', 'content-length': String(len) });
const sseHeaders = (len: number) => ({ 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'content-length': String(len) });

function handle(req: IncomingMessage, res: ServerResponse): void {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"message":"not found","type":"invalid_request_error"}}');
      return;
    }
    const body = chunks.length === 1 ? chunks[0]!.toString('latin1') : Buffer.concat(chunks).toString('latin1');
    // Tool call on the first round of a marked request; text once the tool result is in the history.
    const wantsTool = body.includes(TOOL_MARKER) && !body.includes('"role":"tool"');
    const stream = /"stream"\s*:\s*true/.test(body);
    const out = stream ? (wantsTool ? answers.toolStream : answers.textStream) : wantsTool ? answers.tool : answers.text;
    res.writeHead(200, stream ? sseHeaders(out.length) : jsonHeaders(out.length)).end(out);
  });
}

const server = createServer({ keepAliveTimeout: 120_000 }, handle);
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);
});
