// The request list's query string ⇄ RequestFilters. Pure, so the parsing rules are unit-tested:
// empty fields mean "no filter", bad values are dropped rather than failing the page, and the
// time inputs (datetime-local, no zone) are read as UTC, as the page says.
import type { RequestFilters } from './request-queries.js';

export type Query = Record<string, string | undefined>;

const STATUS = /^(ok|error|[1-5]\d\d)$/;

function time(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const iso = /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00Z` : /[zZ]|[+-]\d\d:\d\d$/.test(value) ? value : `${value}Z`;
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? ms : undefined;
}

const text = (v: string | undefined): string | undefined => {
  const t = v?.trim();
  return t ? t.slice(0, 200) : undefined;
};

export function parseFilters(q: Query): RequestFilters {
  const status = text(q.status);
  const before = decodeCursor(q.before);
  return {
    key: text(q.key),
    team: text(q.team),
    model: text(q.model),
    status: status && STATUS.test(status) ? status : undefined,
    hasTools: q.tools === 'yes' ? true : q.tools === 'no' ? false : undefined,
    from: time(q.from),
    to: time(q.to),
    idPrefix: text(q.q)?.toLowerCase(),
    before,
  };
}

export function encodeCursor(row: { ts: number; id: string }): string {
  return `${row.ts}.${row.id}`;
}

export function decodeCursor(value: string | undefined): { ts: number; id: string } | undefined {
  const m = /^(\d{1,16})\.(.{1,200})$/.exec(value ?? '');
  return m ? { ts: Number(m[1]), id: m[2]! } : undefined;
}

/** The same query string with `before` replaced (for the next-page link). */
export function withQuery(q: Query, changes: Query): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...q, ...changes })) if (v) params.set(k, v);
  const s = params.toString();
  return s ? `?${s}` : '';
}
