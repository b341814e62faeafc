// The bench's upstream for the pass-through surfaces (its own process, like mock-upstream.ts): an
// Anthropic Messages API (POST /v1/messages) and an OpenAI Responses API (POST /v1/responses), each
// answering in its real wire format, JSON or SSE, with fixed pre-serialised bytes. Messages streams
// are named events from message_start to message_stop (with a ping); Responses streams are named
// events with sequence numbers from response.created to response.completed, no [DONE]. Requests are
// not parsed: `"stream":true` in the body picks the stream; `"store":true` (a Responses client that
// has the gateway keep its responses) gets a response id of its own each time, as a real upstream's.
//   node dist/bench/mock-pass-through.js   → prints {"port":N} on stdout when listening
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

const TEXT = ['Hello', ' from', ' the', ' bench', ' upstream.'];

// Anthropic Messages (https://docs.anthropic.com/en/api/messages, .../messages-streaming).
const usage = { input_tokens: 21, output_tokens: 9, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
const message = {
  id: 'msg_bench',
  type: 'message',
  role: 'assistant',
  model: 'claude-bench',
  content: [{ type: 'text', text: TEXT.join('') }],
  stop_reason: 'end_turn',
  stop_sequence: null,
  usage,
};
const ev = (type: string, data: object) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
const messagesStream = [
  ev('message_start', { message: { ...message, content: [], stop_reason: null, usage: { ...usage, output_tokens: 1 } } }),
  ev('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
  ev('ping', {}),
  ...TEXT.map((text) => ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text } })),
  ev('content_block_stop', { index: 0 }),
  ev('message_delta', { delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 9 } }),
  ev('message_stop', {}),
].join('');

// OpenAI Responses (https://platform.openai.com/docs/api-reference/responses, .../responses-streaming).
const item = {
  id: 'msg_bench',
  type: 'message',
  status: 'completed',
  role: 'assistant',
  content: [{ type: 'output_text', annotations: [], logprobs: [], text: TEXT.join('') }],
};
const shell = {
  id: 'resp_bench',
  object: 'response',
  created_at: 1_700_000_000,
  error: null,
  incomplete_details: null,
  instructions: 'You are a concise assistant.',
  max_output_tokens: 64,
  model: 'bench-model',
  parallel_tool_calls: true,
  previous_response_id: null,
  reasoning: { effort: null, summary: null },
  store: false,
  temperature: 1,
  text: { format: { type: 'text' } },
  tool_choice: 'auto',
  tools: [],
  top_p: 1,
  truncation: 'disabled',
  user: null,
  metadata: {},
};
const response = {
  ...shell,
  status: 'completed',
  output: [item],
  usage: {
    input_tokens: 21,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: 9,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: 30,
  },
};
let seq = 0;
const rev = (type: string, data: object) => `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: seq++, ...data })}\n\n`;
const started = { ...shell, status: 'in_progress', output: [], usage: null };
const part = { type: 'output_text', annotations: [], logprobs: [], text: '' };
const at = { item_id: item.id, output_index: 0, content_index: 0 };
const responsesStream = [
  rev('response.created', { response: started }),
  rev('response.in_progress', { response: started }),
  rev('response.output_item.added', { output_index: 0, item: { ...item, status: 'in_progress', content: [] } }),
  rev('response.content_part.added', { ...at, part }),
  ...TEXT.map((delta) => rev('response.output_text.delta', { ...at, delta, logprobs: [] })),
  rev('response.output_text.done', { ...at, text: TEXT.join(''), logprobs: [] }),
  rev('response.content_part.done', { ...at, part: item.content[0] }),
  rev('response.output_item.done', { output_index: 0, item }),
  rev('response.completed', { response }),
].join('');

const answers: Record<string, { json: Buffer; stream: Buffer }> = {
  '/v1/messages': { json: Buffer.from(JSON.stringify(message)), stream: Buffer.from(messagesStream) },
  '/v1/responses': { json: Buffer.from(JSON.stringify(response)), stream: Buffer.from(responsesStream) },
};

let stored = 0;

function handle(req: IncomingMessage, res: ServerResponse): void {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const url = req.url ?? '';
    const query = url.indexOf('?');
    const answer = req.method === 'POST' ? answers[query < 0 ? url : url.slice(0, query)] : undefined;
    if (!answer) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"message":"not found","type":"not_found_error"}}');
      return;
    }
    const body = chunks.length === 1 ? chunks[0]!.toString('latin1') : Buffer.concat(chunks).toString('latin1');
    const stream = /"stream"\s*:\s*true/.test(body);
    let out = stream ? answer.stream : answer.json;
    if (/"store"\s*:\s*true/.test(body))
      out = Buffer.from(out.toString('latin1').replaceAll('resp_bench', `resp_bench_${++stored}`), 'latin1');
    res
      .writeHead(200, {
        'content-type': stream ? 'text/event-stream' : 'application/json',
        ...(stream ? { 'cache-control': 'no-cache' } : {}),
        'content-length': String(out.length),
      })
      .end(out);
  });
}

const server = createServer({ keepAliveTimeout: 120_000 }, handle);
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);
});
