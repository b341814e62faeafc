// Retries, backoff and fallbacks of one LLM call, with a scripted upstream client (no network).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { GatewayError } from '../errors.js';
import { openaiAdapter } from '../../providers/openai/index.js';
import { callLlm } from './llm-call.js';
import { backoffMs, type AttemptResult } from './attempts.js';
import type { Target } from './targets.js';
import { streamOf, type UpstreamClient } from '../upstream/client.js';

const provider = {
  type: 'openai',
  baseUrl: 'http://up.test/v1',
  keys: [{ value: 'sk', weight: 1 }],
  models: [],
  headers: {},
  timeoutMs: 1000,
  maxRetries: 2,
  defaultMaxTokens: 16,
  maxTokensField: 'max_completion_tokens' as const,
};
const target = (name: string, model = 'm'): Target => ({
  id: `${name}/${model}`,
  providerName: name,
  provider,
  adapter: openaiAdapter,
  model,
  apis: new Set(['chat']),
});
const ok = JSON.stringify({
  id: 'x',
  object: 'chat.completion',
  created: 1,
  model: 'm',
  choices: [{ index: 0, message: { role: 'assistant', content: 'hi' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
});

function scripted(statuses: number[], headers: Record<string, string> = {}) {
  const sent: string[] = [];
  const client: UpstreamClient = {
    send: () => assert.fail('JSON answers are read with sendText'),
    async sendText(req) {
      sent.push(req.url);
      const status = statuses.shift() ?? 200;
      return { status, headers, text: status === 200 ? ok : '{"error":{"message":"nope"}}' };
    },
    sendStream: () => assert.fail('not a stream'),
    close: async () => undefined,
  };
  return { client, sent };
}

function run(client: UpstreamClient, targets: Target[], waits: number[] = []) {
  const attempts: AttemptResult[] = [];
  return {
    attempts,
    promise: callLlm(
      { upstream: client, sleep: async (ms) => void waits.push(ms), random: () => 0.5, retryBaseMs: 100, maxRetryWaitMs: 5000 },
      {
        targets,
        request: { model: 'x', messages: [{ role: 'user', content: 'q' }] },
        stream: false,
        signal: new AbortController().signal,
        hooks: { start: () => ({ finish: (r) => void attempts.push(r) }) },
      },
    ),
  };
}

describe('callLlm', () => {
  test('retries 5xx with backoff, then succeeds; every attempt is reported', async () => {
    const { client, sent } = scripted([500, 503]);
    const waits: number[] = [];
    const r = run(client, [target('a')], waits);
    const out = await r.promise;
    assert.equal(out.kind, 'json');
    assert.equal(sent.length, 3);
    assert.deepEqual(
      r.attempts.map((a) => a.status),
      [500, 503, 200],
    );
    assert.deepEqual(waits, [75, 150], 'exponential with jitter (random 0.5 → 75% of base × 2^n)');
  });

  test('4xx is the caller’s: no retry, no fallback', async () => {
    const { client, sent } = scripted([400]);
    const r = run(client, [target('a'), target('b')]);
    await assert.rejects(r.promise, (e: unknown) => e instanceof GatewayError && e.status === 400);
    assert.equal(sent.length, 1);
  });

  test('exhausted retries move on to the fallback', async () => {
    const { client } = scripted([500, 500, 500, 200]);
    const r = run(client, [target('a'), target('b', 'm2')]);
    const out = await r.promise;
    assert.equal(out.target.providerName, 'b');
    assert.equal(r.attempts.length, 4);
  });

  test('a Retry-After longer than the cap is not waited for', async () => {
    const { client, sent } = scripted([429, 200], { 'retry-after': '60' });
    const r = run(client, [target('a')]);
    await assert.rejects(r.promise, (e: unknown) => e instanceof GatewayError && e.status === 503 && e.retryAfter === 60);
    assert.equal(sent.length, 1);
  });

  test('a client that leaves while an attempt is reserved: nothing is sent, and the attempt costs nothing', async () => {
    const { ClientAbortedError } = await import('../upstream/client.js');
    const controller = new AbortController();
    let sent = 0;
    const client: UpstreamClient = {
      send: () => assert.fail('JSON answers are read with sendText'),
      // As the real client does: an aborted signal is refused before anything is dispatched.
      async sendText(_req, { signal }) {
        if (signal.aborted) throw new ClientAbortedError('client aborted the request');
        sent++;
        return { status: 200, headers: {}, text: ok };
      },
      sendStream: () => assert.fail('not a stream'),
      close: async () => undefined,
    };
    const attempts: AttemptResult[] = [];
    const call = callLlm(
      { upstream: client, sleep: async () => undefined, random: () => 0.5, retryBaseMs: 100, maxRetryWaitMs: 5000 },
      {
        targets: [target('a'), target('b')],
        request: { model: 'x', messages: [{ role: 'user', content: 'q' }] },
        stream: false,
        signal: controller.signal,
        hooks: {
          // The budget store answers the reservation after the client has gone.
          start: async () => {
            controller.abort();
            return { finish: (r) => void attempts.push(r) };
          },
        },
      },
    );
    await assert.rejects(call, (e: unknown) => e instanceof ClientAbortedError);
    assert.equal(sent, 0);
    assert.deepEqual(
      attempts.map((a) => [a.status, a.errorType, a.mayHaveCost]),
      [[0, 'client_aborted', false]],
      'one attempt, released: not charged its reservation, and no fallback tried',
    );
  });

  test('backoff honours Retry-After when it is longer than the exponential wait', () => {
    assert.equal(backoffMs({ retryBaseMs: 100, random: () => 0 }, 1, 2), 2000);
    assert.equal(backoffMs({ retryBaseMs: 100, random: () => 1 }, 3), 400);
  });
});

/**
 * A streamed answer from a scripted upstream: `parts` are the body's chunks (a failure where an Error
 * is); with `open`, the body does not end after them.
 */
async function streamOutcome(parts: (string | Error)[], open = false) {
  const body = new Readable({ read() {} });
  const client: UpstreamClient = {
    send: () => assert.fail('streams are read with sendStream'),
    sendText: () => assert.fail('not a JSON answer'),
    async sendStream() {
      setImmediate(() => {
        for (const p of parts) {
          if (p instanceof Error) return void body.destroy(p);
          body.push(Buffer.from(p));
        }
        if (!open) body.push(null);
      });
      return streamOf({ status: 200, headers: {}, body: body as never }, 60_000);
    },
    close: async () => undefined,
  };
  const out = await callLlm(
    { upstream: client, sleep: async () => undefined, random: () => 0.5, retryBaseMs: 100, maxRetryWaitMs: 5000 },
    {
      targets: [target('a')],
      request: { model: 'x', messages: [{ role: 'user', content: 'q' }] },
      stream: true,
      signal: new AbortController().signal,
      hooks: { start: () => ({ finish: () => undefined }) },
    },
  );
  assert.equal(out.kind, 'stream');
  return { read: out.kind === 'stream' ? out.read : () => Promise.resolve(), body };
}

const frame = (content: string, finish: string | null = null) =>
  `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { content }, finish_reason: finish }] })}\n\n`;

describe('callLlm streams', () => {
  test('every chunk reaches the reader in order, split frames included', async () => {
    const text = `${frame('Hel')}${frame('lo', 'stop')}data: [DONE]\n\n`;
    const { read } = await streamOutcome([text.slice(0, 50), text.slice(50, 130), text.slice(130)]);
    const seen: string[] = [];
    await read((c) => void seen.push(c.choices[0]?.delta.content ?? ''));
    assert.deepEqual(seen, ['Hel', 'lo']);
  });

  test('the read resolves at [DONE]: what follows is not seen, the rest of the body is read on (not cancelled), and its failure rejects nothing', {
    timeout: 10_000,
  }, async () => {
    const { read, body } = await streamOutcome([`${frame('a', 'stop')}data: [DONE]\n\n${frame('after')}`], true);
    const seen: string[] = [];
    await read((c) => void seen.push(c.choices[0]?.delta.content ?? ''));
    assert.deepEqual(seen, ['a']);
    body.push(Buffer.from(frame('later')));
    await new Promise((r) => setImmediate(r));
    assert.equal(body.destroyed, false, 'not cancelled: the body is read to its end');
    assert.equal(body.readableFlowing, true);
    body.destroy(new Error('socket hang up'));
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(seen, ['a']);
  });

  test('what the reader throws comes back as is (not a network error), and the body is let go', async () => {
    const { read, body } = await streamOutcome([frame('a'), frame('b', 'stop')]);
    const boom = new TypeError('reader failed');
    await assert.rejects(
      read(() => {
        throw boom;
      }),
      (e) => e === boom,
    );
    assert.equal(body.destroyed, true);
  });

  test('a malformed event is 502 upstream_malformed; a body that breaks is a network error; a cut-short stream is truncated', async () => {
    const bad = await streamOutcome(['data: {not json\n\n']);
    await assert.rejects(
      bad.read(() => undefined),
      (e) => e instanceof GatewayError && e.code === 'upstream_malformed',
    );

    const reset = await streamOutcome([frame('a'), Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' })]);
    await assert.rejects(
      reset.read(() => undefined),
      (e) => e instanceof GatewayError && e.code === 'upstream_unreachable',
    );

    const cut = await streamOutcome([frame('a')]);
    await assert.rejects(
      cut.read(() => undefined),
      (e) => e instanceof GatewayError && e.code === 'upstream_stream_truncated',
    );
  });
});

describe('mayHaveReachedUpstream', () => {
  test('an error status or a connection never opened cost nothing; anything after sending may have', async () => {
    const { mayHaveReachedUpstream } = await import('./attempts.js');
    const { GatewayError } = await import('../errors.js');
    const { ClientAbortedError } = await import('../upstream/client.js');
    const status = (n: number) =>
      Object.assign(new GatewayError({ status: 502, type: 'upstream_error', message: 'x' }), { upstreamStatus: n });
    const net = (code: string, gw = 'upstream_unreachable' as const) =>
      new GatewayError({ status: 502, type: 'upstream_error', code: gw, message: 'x', cause: Object.assign(new Error(code), { code }) });
    assert.equal(mayHaveReachedUpstream(status(500)), false);
    assert.equal(mayHaveReachedUpstream(status(429)), false);
    assert.equal(mayHaveReachedUpstream(status(200)), true, 'a 2xx whose body could not be read was processed');
    assert.equal(mayHaveReachedUpstream(net('ECONNREFUSED')), false);
    assert.equal(mayHaveReachedUpstream(net('ECONNRESET')), true);
    assert.equal(
      mayHaveReachedUpstream(new GatewayError({ status: 504, type: 'upstream_timeout', code: 'upstream_timeout', message: 't' })),
      true,
    );
    assert.equal(mayHaveReachedUpstream(new ClientAbortedError('gone')), true);
    assert.equal(
      mayHaveReachedUpstream(new GatewayError({ status: 503, type: 'upstream_error', code: 'provider_key_missing', message: 'k' })),
      false,
    );
  });
});
