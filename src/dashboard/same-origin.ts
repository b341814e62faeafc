// CSRF defence for the dashboard's state-changing forms, on top of the SameSite=Strict cookie:
// a browser always sends Origin on a form POST, so one from another site (or an opaque "null"
// origin: sandboxed frames, data: URLs) is refused. Without Origin the request is not from a
// browser form; it is accepted only with the Bearer admin token, which a forged form cannot carry.
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../app-env.js';

/** The host the client addressed, as a reverse proxy forwards it. */
function requestHost(headers: { get(name: string): string | null | undefined }, url: string): string {
  return (headers.get('x-forwarded-host') ?? headers.get('host') ?? new URL(url).host).split(',')[0]!.trim().toLowerCase();
}

export function isSameOrigin(origin: string | undefined, host: string): boolean {
  if (!origin || origin === 'null') return false;
  try {
    return new URL(origin).host.toLowerCase() === host;
  } catch {
    return false;
  }
}

export function requireSameOrigin(hasBearer: (authorization: string | undefined) => boolean) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const origin = c.req.header('origin');
    const ok =
      origin === undefined ? hasBearer(c.req.header('authorization')) : isSameOrigin(origin, requestHost(c.req.raw.headers, c.req.url));
    if (!ok) return c.text('cross-origin request refused', 403);
    await next();
  });
}
