// The load generator, kept cheap because it shares the 2 cores with everything it measures:
// undici's own Client/Pool (no fetch, no WHATWG streams), pre-serialised bodies, no parsing.
import { Client, Pool } from 'undici';

export interface Endpoint {
  name: string;
  /** http://127.0.0.1:PORT */
  origin: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

export class Non200Error extends Error {
  override name = 'Non200Error';
}

async function once(d: Client | Pool, e: Endpoint): Promise<void> {
  const res = await d.request({ method: 'POST', path: e.path, headers: e.headers, body: e.body });
  // Reading the whole body is part of the latency: a streamed answer is only done at [DONE].
  const text = await res.body.text();
  if (res.statusCode !== 200) throw new Non200Error(`${e.name}: HTTP ${res.statusCode}: ${text.slice(0, 300)}`);
}

/** One keep-alive connection per endpoint, requests one after another. */
export class SequentialSampler {
  private readonly clients = new Map<string, Client>();

  client(e: Endpoint): Client {
    let c = this.clients.get(e.name);
    if (!c) {
      c = new Client(e.origin, { pipelining: 1, keepAliveTimeout: 120_000, keepAliveMaxTimeout: 600_000 });
      this.clients.set(e.name, c);
    }
    return c;
  }

  /** Latency of one request in microseconds (send → last byte of the body). */
  async sample(e: Endpoint): Promise<number> {
    const c = this.client(e);
    const t0 = process.hrtime.bigint();
    await once(c, e);
    return Number(process.hrtime.bigint() - t0) / 1000;
  }

  async close(): Promise<void> {
    await Promise.all([...this.clients.values()].map((c) => c.close()));
  }
}

/**
 * Samples every endpoint `n` times, interleaved request by request; the order rotates each
 * iteration so no endpoint always runs first (after a GC or timer tick). Returns µs per endpoint.
 */
export async function interleavedLatency(endpoints: readonly Endpoint[], n: number, warmup: number): Promise<Map<string, number[]>> {
  const sampler = new SequentialSampler();
  const out = new Map<string, number[]>(endpoints.map((e) => [e.name, []]));
  try {
    for (let i = 0; i < warmup + n; i++) {
      for (let j = 0; j < endpoints.length; j++) {
        const e = endpoints[(i + j) % endpoints.length]!;
        const us = await sampler.sample(e);
        if (i >= warmup) out.get(e.name)!.push(us);
      }
    }
  } finally {
    await sampler.close();
  }
  return out;
}

export interface ThroughputResult {
  requests: number;
  errors: number;
  seconds: number;
  rps: number;
  firstError?: string;
}

/** `connections` workers, each a tight request loop on its own pooled connection, for `seconds`. */
export async function throughput(e: Endpoint, connections: number, seconds: number): Promise<ThroughputResult> {
  const pool = new Pool(e.origin, { connections, pipelining: 1, keepAliveTimeout: 120_000 });
  let requests = 0;
  let errors = 0;
  let firstError: string | undefined;
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  const worker = async (): Promise<void> => {
    while (performance.now() < end) {
      try {
        await once(pool, e);
        requests++;
      } catch (err) {
        errors++;
        firstError ??= (err as Error).message;
      }
    }
  };
  await Promise.all(Array.from({ length: connections }, worker));
  const elapsed = (performance.now() - t0) / 1000;
  await pool.close();
  return { requests, errors, seconds: elapsed, rps: requests / elapsed, ...(firstError ? { firstError } : {}) };
}
