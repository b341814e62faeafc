// A loopback mock upstream speaking the OpenAI (/v1/chat/completions, /v1/responses) and Anthropic
// (/v1/messages) wire formats, driven by scripted replies. Used by integration tests and the bench.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import { anthropicErrorBody, renderAnthropic } from './anthropic-wire.js';
import { openaiErrorBody, renderOpenAI } from './openai-wire.js';
import { renderResponses } from './responses-wire.js';
import type { MockReply, Rendered } from './types.js';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: any;
  /** The body exactly as received. */
  raw: string;
}

export interface MockUpstream {
  /** http://127.0.0.1:PORT */
  url: string;
  /** Base URL for an `openai`-type provider. */
  openaiBaseUrl: string;
  /** Base URL for an `anthropic`-type provider. */
  anthropicBaseUrl: string;
  /** Replies consumed in order by the next requests; when empty, `fallback` answers. */
  enqueue(...replies: MockReply[]): void;
  /** Answers requests when the queue is empty (default: echo the last user text). `path` tells the wire format. */
  fallback: (body: any, path: string) => MockReply;
  requests: RecordedRequest[];
  /** How long Anthropic's token counting takes to answer (default 0). */
  countTokensDelayMs: number;
  /** Requests whose client went away before the reply finished. */
  aborted: number;
  /** Resolves at the next client abort. */
  nextAbort(): Promise<void>;
  reset(): void;
  close(): Promise<void>;
}

function lastUserText(body: any): string {
  // Responses bodies carry `input` (a string, or items where a message may omit `type`).
  if (typeof body?.input === 'string') return body.input;
  const messages: any[] = body?.messages ?? body?.input ?? [];
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i];
    if (m.role !== 'user') continue;
    if (typeof m.content === 'string') return m.content;
    const text = (m.content as any[]).find((p) => p.type === 'text' || p.type === 'input_text');
    if (text) return text.text;
  }
  return '';
}

export const echoReply = (body: any): MockReply => ({ kind: 'text', text: `echo: ${lastUserText(body)}` });

export async function startMockUpstream(): Promise<MockUpstream> {
  const queue: MockReply[] = [];
  const abortWaiters: (() => void)[] = [];
  const mock: MockUpstream = {
    url: '',
    openaiBaseUrl: '',
    anthropicBaseUrl: '',
    enqueue: (...replies) => void queue.push(...replies),
    fallback: echoReply,
    requests: [],
    countTokensDelayMs: 0,
    aborted: 0,
    nextAbort: () => new Promise((resolve) => abortWaiters.push(resolve)),
    reset() {
      queue.length = 0;
      mock.requests.length = 0;
      mock.aborted = 0;
      mock.countTokensDelayMs = 0;
      mock.fallback = echoReply;
    },
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };

  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let body: any = null;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      body = text;
    }
    const path = req.url ?? '/';
    mock.requests.push({ method: req.method ?? 'GET', path, headers: req.headers, body, raw: text });
    res.on('close', () => {
      if (!res.writableFinished) {
        mock.aborted++;
        for (const w of abortWaiters.splice(0)) w();
      }
    });
    const isAnthropic = path.startsWith('/v1/messages');
    const wire: Wire = isAnthropic ? 'anthropic' : path.startsWith('/v1/responses') ? 'responses' : 'openai';
    if (!isAnthropic && wire !== 'responses' && !path.startsWith('/v1/chat/completions')) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(openaiErrorBody(404, `no route ${path}`));
      return;
    }
    // Anthropic's token counting: a count from the body's size, unless a reply was queued for it.
    if (path.startsWith('/v1/messages/count_tokens') && queue[0]?.kind !== 'error') {
      if (mock.countTokensDelayMs) await sleep(mock.countTokensDelayMs);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ input_tokens: Math.ceil(text.length / 4) }));
      return;
    }
    const reply = queue.shift() ?? mock.fallback(body, path);
    await answer(res, reply, body, wire);
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  mock.url = `http://127.0.0.1:${port}`;
  mock.openaiBaseUrl = `${mock.url}/v1`;
  mock.anthropicBaseUrl = mock.url;
  return mock;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Wire = 'openai' | 'anthropic' | 'responses';

async function answer(res: ServerResponse, reply: MockReply, body: any, wire: Wire): Promise<void> {
  const anthropic = wire === 'anthropic';
  const stream = body?.stream === true;
  switch (reply.kind) {
    case 'hang':
      return;
    case 'reset':
      res.socket?.destroy();
      return;
    case 'raw':
      res.writeHead(reply.status, { 'content-type': reply.contentType ?? 'application/json' }).end(reply.body);
      return;
    case 'error': {
      const errBody =
        reply.body ??
        (anthropic
          ? anthropicErrorBody(reply.status, reply.message ?? 'mock error')
          : openaiErrorBody(reply.status, reply.message ?? 'mock error'));
      res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers }).end(errBody);
      return;
    }
    case 'reset-mid-stream': {
      const rendered = render({ kind: 'text', text: reply.text }, body, true, wire);
      if (!('frames' in rendered)) throw new Error('expected frames');
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      // Send everything up to the closing frames, then cut the connection mid-message.
      for (const f of rendered.frames.slice(0, -2)) res.write(f);
      await sleep(20);
      res.socket?.destroy();
      return;
    }
    default: {
      if ('delayMs' in reply && reply.delayMs) await sleep(reply.delayMs);
      const rendered = render(reply, body, stream, wire);
      if ('json' in rendered) {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(rendered.json));
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      const pause = reply.kind === 'text' ? (reply.frameDelayMs ?? 0) : 0;
      for (const f of rendered.frames) {
        if (res.destroyed) return;
        res.write(f);
        if (pause) await sleep(pause);
      }
      if (!res.destroyed) res.end();
    }
  }
}

function render(reply: MockReply, body: any, stream: boolean, wire: Wire): Rendered {
  if (wire === 'responses') return renderResponses(reply, body, stream);
  return wire === 'anthropic' ? renderAnthropic(reply, body, stream) : renderOpenAI(reply, body, stream);
}
