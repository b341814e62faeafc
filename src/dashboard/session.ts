// Who may see the dashboard: the admin token, presented either as `Authorization: Bearer` (scripts)
// or through the login form, which sets a cookie. The cookie holds an HMAC derived from the token,
// never the token itself: a leaked cookie (logs, a proxy) does not reveal the admin token, and
// rotating the token invalidates every session.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export const SESSION_COOKIE = 'tollgate_session';
const SESSION_LABEL = 'tollgate-dashboard-session-v1';

// Hashing both sides first gives equal-length buffers, so comparison time reveals neither the
// secret's content nor its length (same approach as the admin API's requireAdminToken).
const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();
const same = (a: string, expected: Buffer): boolean => timingSafeEqual(digest(a), expected);

export interface DashboardAuth {
  /** False when no admin token is configured: the dashboard is disabled. */
  readonly enabled: boolean;
  /** The cookie value a successful login sets. */
  sessionValue(): string;
  checkToken(presented: string | undefined): boolean;
  checkSession(cookie: string | undefined): boolean;
  /** Bearer header or session cookie. */
  isAuthenticated(authorization: string | undefined, cookie: string | undefined): boolean;
}

export function createDashboardAuth(token: string | undefined): DashboardAuth {
  const expectedToken = token ? digest(token) : undefined;
  const session = token ? createHmac('sha256', token).update(SESSION_LABEL).digest('base64url') : undefined;
  const expectedSession = session ? digest(session) : undefined;
  const checkToken = (presented: string | undefined): boolean => !!expectedToken && !!presented && same(presented, expectedToken);
  const checkSession = (cookie: string | undefined): boolean => !!expectedSession && !!cookie && same(cookie, expectedSession);
  return {
    enabled: !!token,
    sessionValue() {
      if (!session) throw new Error('the dashboard is disabled');
      return session;
    },
    checkToken,
    checkSession,
    isAuthenticated(authorization, cookie) {
      const bearer = /^Bearer\s+(.+)$/i.exec((authorization ?? '').trim())?.[1]?.trim();
      return checkToken(bearer) || checkSession(cookie);
    },
  };
}
