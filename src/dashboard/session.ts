// Who may see the dashboard: the admin token, presented either as `Authorization: Bearer` (scripts)
// or through the login form, which starts a session. A session is a random value made at login
// (never derived from the token, so one stolen cookie is one session, not every session forever),
// kept server-side by its hash with an expiry, and ended by logout. Sessions live in this process:
// behind several replicas, use sticky sessions or the Bearer header. Failed logins are throttled
// per client address, so the token cannot be guessed at network speed.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const SESSION_COOKIE = 'tollgate_session';

// Hashing both sides first gives equal-length buffers, so comparison time reveals neither the
// secret's content nor its length (same approach as the admin API's requireAdminToken).
const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();
const same = (a: string, expected: Buffer): boolean => timingSafeEqual(digest(a), expected);

export interface DashboardAuthOptions {
  now?: () => number;
  /** How long a session lasts from login (default 12 h). */
  ttlMs?: number;
  /** Sessions kept at once; the oldest goes first (default 1,000). */
  maxSessions?: number;
  /** Failed logins allowed per client address per window before 429 (default 10 per 15 min). */
  maxFailures?: number;
  failureWindowMs?: number;
}

export type LoginResult = { ok: true; session: string } | { ok: false; retryAfterS?: number };

export interface DashboardAuth {
  /** False when no admin token is configured: the dashboard is disabled. */
  readonly enabled: boolean;
  readonly ttlMs: number;
  /** Checks the token for `client` (an address); starts a session, or says to wait when throttled. */
  login(token: string | undefined, client: string): LoginResult;
  /** Ends a session (unknown values are ignored). */
  logout(cookie: string | undefined): void;
  checkToken(presented: string | undefined): boolean;
  checkSession(cookie: string | undefined): boolean;
  /** Bearer header or session cookie. */
  isAuthenticated(authorization: string | undefined, cookie: string | undefined): boolean;
}

export function createDashboardAuth(token: string | undefined, opts: DashboardAuthOptions = {}): DashboardAuth {
  const now = opts.now ?? Date.now;
  const ttlMs = opts.ttlMs ?? 12 * 3600_000;
  const maxSessions = opts.maxSessions ?? 1000;
  const maxFailures = opts.maxFailures ?? 10;
  const failureWindowMs = opts.failureWindowMs ?? 15 * 60_000;
  const expectedToken = token ? digest(token) : undefined;
  /** sha256(session) hex → expiry; insertion order = age. The cookie value itself is not kept. */
  const sessions = new Map<string, number>();
  /** client → failures in the current window. Bounded: the oldest windows are dropped first. */
  const failures = new Map<string, { count: number; since: number }>();

  const key = (cookie: string) => digest(cookie).toString('hex');
  const checkToken = (presented: string | undefined): boolean => !!expectedToken && !!presented && same(presented, expectedToken);
  const checkSession = (cookie: string | undefined): boolean => {
    if (!expectedToken || !cookie) return false;
    const k = key(cookie);
    const expires = sessions.get(k);
    if (expires === undefined) return false;
    if (expires <= now()) {
      sessions.delete(k);
      return false;
    }
    return true;
  };

  return {
    enabled: !!token,
    ttlMs,
    login(presented, client) {
      const t = now();
      const f = failures.get(client);
      if (f && t - f.since >= failureWindowMs) failures.delete(client);
      const current = failures.get(client);
      if (current && current.count >= maxFailures)
        return { ok: false, retryAfterS: Math.ceil((current.since + failureWindowMs - t) / 1000) };
      if (!checkToken(presented)) {
        if (current) current.count++;
        else {
          if (failures.size >= 10_000) failures.delete(failures.keys().next().value!);
          failures.set(client, { count: 1, since: t });
        }
        return { ok: false };
      }
      failures.delete(client);
      const session = randomBytes(32).toString('base64url');
      while (sessions.size >= maxSessions) sessions.delete(sessions.keys().next().value!);
      sessions.set(key(session), t + ttlMs);
      return { ok: true, session };
    },
    logout(cookie) {
      if (cookie) sessions.delete(key(cookie));
    },
    checkToken,
    checkSession,
    isAuthenticated(authorization, cookie) {
      const bearer = /^Bearer\s+(.+)$/i.exec((authorization ?? '').trim())?.[1]?.trim();
      return checkToken(bearer) || checkSession(cookie);
    },
  };
}
