// The client's agent session id, from the first configured session header it sent (config
// `sessionHeaders`; Claude Code sends x-claude-code-session-id). Recorded in requests.session_id
// so cost per agent session is one query. Bounded and stripped of control characters: it is
// client text going into the ledger (printable ASCII kept, as HTTP header values are).
import type { HeaderSource } from '../governance/keys.js';

export const DEFAULT_SESSION_HEADERS = ['x-claude-code-session-id'] as const;
const MAX_LENGTH = 200;

export function sessionIdFrom(headers: HeaderSource, names: readonly string[]): string | null {
  for (const name of names) {
    const value = headers
      .get(name)
      ?.replace(/[^ -~]/g, '')
      .trim();
    if (value) return value.slice(0, MAX_LENGTH);
  }
  return null;
}
