// The only place that calls the network for providers. One undici Agent (keep-alive pool) shared
// by all providers; per-call timeouts; aborts when the client goes away; network failures become
// GatewayErrors that say whether another attempt makes sense.
import { Agent, request, type Dispatcher } from 'undici';
import { GatewayError } from '../errors.js';
import type { UpstreamRequest } from '../../providers/types.js';

export interface UpstreamResponse {
  status: number;
  headers: Record<string, string | undefined>;
  body: Dispatcher.ResponseData['body'];
}

export interface SendOptions {
  /** Aborted when the client disconnects (or the tool loop's deadline passes). */
  signal: AbortSignal;
  /** Time to response headers, and the longest silence between body chunks. */
  timeoutMs: number;
}

export interface UpstreamClient {
  send(req: UpstreamRequest, opts: SendOptions): Promise<UpstreamResponse>;
  close(): Promise<void>;
}

/** Thrown (never rendered) when the caller's own signal aborted: the client is gone. */
export class ClientAbortedError extends Error {
  override name = 'ClientAbortedError';
}

export function createDispatcher(): Dispatcher {
  // pipelining 1: LLM responses are long; head-of-line blocking would add latency to unrelated calls.
  return new Agent({ keepAliveTimeout: 30_000, keepAliveMaxTimeout: 120_000, connections: 256, pipelining: 1 });
}

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
]);
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/** Maps a thrown network error to a GatewayError (or ClientAbortedError when the caller aborted). */
/** `url` is the upstream request's; only its host is named (parsed here, on the failure path only). */
export function networkError(err: unknown, url: string, signal: AbortSignal): Error {
  if (signal.aborted) return new ClientAbortedError('client aborted the request');
  if (err instanceof GatewayError) return err;
  const host = new URL(url).host;
  const code = (err as { code?: string }).code ?? (err as { cause?: { code?: string } }).cause?.code ?? '';
  if (TIMEOUT_CODES.has(code)) {
    return new GatewayError({
      status: 504,
      type: 'upstream_timeout',
      message: `upstream ${host} timed out`,
      code: 'upstream_timeout',
      retryable: true,
      cause: err,
    });
  }
  const known = NETWORK_CODES.has(code);
  return new GatewayError({
    status: 502,
    type: 'upstream_error',
    message: `cannot reach upstream ${host}: ${known ? code : 'connection failed'}`,
    code: 'upstream_unreachable',
    retryable: true,
    cause: err,
  });
}

/** Where a request goes, as undici's dispatcher takes it. */
interface Destination {
  origin: string;
  path: string;
}

// How many upstream URLs keep their parsed destination (providers' base URLs with their fixed paths).
const MAX_DESTINATIONS = 1024;

/**
 * The origin and path of an upstream URL, parsed once per URL. undici's top-level request(url)
 * parses the URL string on every call (about 3% of the gateway's busy CPU at 64 connections,
 * bench/README.md "Where the time goes"); its dispatcher takes the origin and path as they are.
 * Exactly what undici derives from the URL; undefined for anything undici itself would refuse
 * (not http(s), not a URL), which then goes through request(url) to fail there as before.
 */
function destinationCache(): (url: string) => Destination | undefined {
  const cache = new Map<string, Destination>();
  return (url) => {
    let d = cache.get(url);
    if (d) return d;
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return undefined;
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return undefined;
    d = { origin: parsed.origin, path: parsed.search ? `${parsed.pathname}${parsed.search}` : parsed.pathname };
    if (cache.size >= MAX_DESTINATIONS) cache.clear();
    cache.set(url, d);
    return d;
  };
}

export function createUpstreamClient(dispatcher: Dispatcher = createDispatcher()): UpstreamClient {
  const destination = destinationCache();
  return {
    async send(req, { signal, timeoutMs }) {
      try {
        const to = destination(req.url);
        const body = req.body ?? null;
        const res = to
          ? await dispatcher.request({
              origin: to.origin,
              path: to.path,
              method: req.method,
              headers: req.headers,
              body,
              signal,
              headersTimeout: timeoutMs,
              bodyTimeout: timeoutMs,
            })
          : await request(req.url, {
              method: req.method,
              headers: req.headers,
              body,
              dispatcher,
              signal,
              headersTimeout: timeoutMs,
              bodyTimeout: timeoutMs,
            });
        return { status: res.statusCode, headers: res.headers as Record<string, string | undefined>, body: res.body };
      } catch (err) {
        throw networkError(err, req.url, signal);
      }
    },
    close: () => dispatcher.close(),
  };
}

/** Reads a whole body as text, mapping mid-body network failures like any other. */
export async function readText(res: UpstreamResponse, url: string, signal: AbortSignal): Promise<string> {
  try {
    return await res.body.text();
  } catch (err) {
    throw networkError(err, url, signal);
  }
}
