// A loopback upstream whose streamed answers go on after their terminal event, for the tests of what
// the gateway records then (tests/early-end-ledger.test.ts, tests/chat-early-end-ledger.test.ts):
// once an answer's frames are written the body is still open, and the upstream ends it cleanly a
// moment later, resets the connection, or stalls past the provider's timeoutMs. It keeps each
// request's socket, to see whether the gateway kept a connection or gave it up.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { TestGateway } from './gateway.js';
import { waitFor } from './wait-for.js';

/** What the upstream does once an answer's frames are written. */
export type After = 'end' | 'reset' | 'stall';

/** The provider's timeoutMs: the body timeout a stall runs into. */
export const TIMEOUT_MS = 1500;
// $1 per input token, $2 per output token: 7 in and 3 out cost exactly 13.
export const PRICE = { inputPerMTok: 1_000_000, outputPerMTok: 2_000_000 };

export const ev = (type: string, data: object) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
/** An Anthropic Messages stream: "hi", 7 input and 3 output tokens, ending at message_stop. */
export const MESSAGES = [
  ev('message_start', {
    message: { id: 'msg_1', type: 'message', role: 'assistant', model: 'm', content: [], usage: { input_tokens: 7, output_tokens: 1 } },
  }),
  ev('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
  ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'hi' } }),
  ev('content_block_stop', { index: 0 }),
  ev('message_delta', { delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 3 } }),
  ev('message_stop', {}),
].join('');

export interface EarlyEndUpstream {
  port: number;
  /** What the upstream does once its answer's frames are written (the body is still open then). */
  after: After;
  /** The upstream's socket of each request, in order. */
  sockets: Socket[];
  /** The sockets on which a body has been ended cleanly. */
  ended: Set<Socket>;
  close(): Promise<void>;
}

/** `answer`: the SSE frames written for a request (its URL and body text), all at once. */
export async function startEarlyEndUpstream(answer: (req: IncomingMessage, body: string) => string): Promise<EarlyEndUpstream> {
  const upstream: EarlyEndUpstream = {
    port: 0,
    after: 'end',
    sockets: [],
    ended: new Set(),
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
  const finishAs = (mode: After, res: ServerResponse): void => {
    const socket = res.socket!;
    if (mode === 'end') setTimeout(() => res.end(() => upstream.ended.add(socket)), 30);
    // After the frames have left: the gateway reads them, then the connection is reset before the chunked terminator.
    else if (mode === 'reset') setTimeout(() => socket.resetAndDestroy(), 30);
    // 'stall': the body never ends; the gateway's body timeout (the provider's timeoutMs) gives up on it.
  };
  const server = createServer((req, res) => {
    upstream.sockets.push(req.socket);
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d: string) => (body += d));
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(answer(req, body));
      finishAs(upstream.after, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  upstream.port = (server.address() as AddressInfo).port;
  return upstream;
}

const ROW = 'SELECT status, error_type, prompt_tokens, completion_tokens, cost_usd FROM';
/** The rows of a call that answered "hi" with 7 input and 3 output tokens. */
export const SUCCESS = { status: 200, error_type: null, prompt_tokens: 7, completion_tokens: 3, cost_usd: 13 };

/** The request's requests row and its llm_calls rows, once the requests row has landed. */
export async function rowsOf(gw: TestGateway, id: string): Promise<{ request: object; calls: object[] }> {
  const [request] = await waitFor(
    async () => {
      const rows = await gw.query<object>(`${ROW} requests WHERE id = ?`, id);
      return rows.length ? rows : undefined;
    },
    10_000,
    'the requests row',
  );
  const calls = await gw.query<object>(`${ROW} llm_calls WHERE request_id = ? ORDER BY round, attempt`, id);
  return { request: { ...request }, calls: calls.map((c) => ({ ...c })) };
}
