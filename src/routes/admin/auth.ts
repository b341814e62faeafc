// Bearer admin-token check for the admin API (and, later, the dashboard).
import { createHash, timingSafeEqual } from 'node:crypto';
import { createMiddleware } from 'hono/factory';
import { GatewayError } from '../../errors.js';

const unauthorized = (message: string) => new GatewayError({ status: 401, type: 'authentication_error', message });

// Hashing both sides first gives equal-length buffers, so the comparison time reveals neither the
// token's content nor its length.
const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

export function requireAdminToken(token: string | undefined) {
  const expected = token ? digest(token) : undefined;
  return createMiddleware(async (c, next) => {
    if (!expected) throw unauthorized('the admin API is disabled: TOLLGATE_ADMIN_TOKEN is not set');
    const header = c.req.header('authorization') ?? '';
    const presented = /^Bearer\s+(.+)$/i.exec(header.trim())?.[1]?.trim();
    if (!presented) throw unauthorized('admin token required: send Authorization: Bearer <admin token>');
    if (!timingSafeEqual(digest(presented), expected)) throw unauthorized('invalid admin token');
    await next();
  });
}
