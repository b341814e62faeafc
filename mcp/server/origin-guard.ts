// Origin and Host validation for /mcp, against DNS rebinding and cross-site requests from browsers:
// "Servers MUST validate the Origin header on all incoming connections … If the Origin header is
// present and invalid, servers MUST respond with HTTP 403 Forbidden."
// https://modelcontextprotocol.io/specification/2026-07-28/basic/transports/streamable-http#security--endpoint
//
// - Host: a configured list wins; otherwise a gateway listening on loopback answers only loopback
//   Host names (a rebound evil.example resolving to 127.0.0.1 still says `Host: evil.example`);
//   one listening elsewhere takes any Host.
// - Origin: absent (not a browser) passes; otherwise it must be in the configured list, or the
//   gateway's own origin (its host and port equal the Host header the browser sent).
import { GatewayError } from '../../src/errors.js';

export interface OriginPolicy {
  /** Exact origins (`https://app.example.com`), or "*" for any. */
  allowedOrigins: readonly string[];
  /** Host names, with or without a port (`gw.example.com`, `gw.example.com:8443`), or "*". Empty: see above. */
  allowedHosts: readonly string[];
  /** Whether the gateway listens only on a loopback address. */
  loopback: boolean;
}

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

export function isLoopbackAddress(host: string | undefined): boolean {
  if (!host) return false;
  const h = host.toLowerCase();
  return LOOPBACK_NAMES.has(h) || /^127(\.\d{1,3}){3}$/.test(h);
}

/** `name` and `port` of a Host header value (`[::1]:8080` → `[::1]`, `8080`). */
function splitHost(value: string): { name: string; port: string } {
  const v = value.trim().toLowerCase();
  const m = /^(\[[^\]]*\]|[^:]*)(?::(\d*))?$/.exec(v);
  return { name: m?.[1] ?? v, port: m?.[2] ?? '' };
}

/** Header values are the client's: quoted, and cut short, in messages. */
const quote = (value: string) => JSON.stringify(value.length > 200 ? `${value.slice(0, 200)}…` : value);

function hostAllowed(host: string, policy: OriginPolicy): boolean {
  const { name, port } = splitHost(host);
  if (policy.allowedHosts.length > 0) {
    return policy.allowedHosts.some((entry) => {
      if (entry === '*') return true;
      const allowed = splitHost(entry);
      return allowed.name === name && (allowed.port === '' || allowed.port === port);
    });
  }
  return !policy.loopback || isLoopbackAddress(name);
}

function originAllowed(origin: string, host: string, policy: OriginPolicy): boolean {
  const normalized = origin.trim().toLowerCase();
  if (policy.allowedOrigins.some((o) => o === '*' || o.toLowerCase() === normalized)) return true;
  try {
    // The gateway's own origin, whatever scheme a TLS-terminating proxy put in front of it.
    return new URL(normalized).host === host.trim().toLowerCase();
  } catch {
    return false; // `Origin: null` and other opaque origins
  }
}

/** Throws a 403 GatewayError when the request's Host or Origin is not allowed. */
export function checkOrigin(headers: Pick<Headers, 'get'>, policy: OriginPolicy): void {
  const host = headers.get('host') ?? '';
  if (!hostAllowed(host, policy)) {
    throw new GatewayError({
      status: 403,
      type: 'authentication_error',
      code: 'mcp_host_not_allowed',
      message: `Host ${quote(host)} is not allowed for /mcp (see mcpEndpoint.allowedHosts)`,
    });
  }
  const origin = headers.get('origin');
  if (origin !== null && !originAllowed(origin, host, policy)) {
    throw new GatewayError({
      status: 403,
      type: 'authentication_error',
      code: 'mcp_origin_not_allowed',
      message: `Origin ${quote(origin)} is not allowed for /mcp (see mcpEndpoint.allowedOrigins)`,
    });
  }
}
