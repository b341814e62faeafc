// Aggregates for the usage page, over the last N UTC days. They read the documented views
// (cost_by_key_day, cost_by_model_day, tool_usage_day) and requests by its indexed `day`
// column, so a `day >= ?` range is answered from the day indexes. Statements are prepared once.
import type { Sqlite } from '../db/open.js';

export interface DayRow {
  day: string;
  requests: number;
  errors: number;
  cost_usd: number | null;
  unknown_cost: number;
  tokens: number;
}

export interface BreakdownRow {
  label: string | null;
  /** Secondary label (the team of a key, the provider of a model). */
  detail: string | null;
  requests: number;
  errors: number;
  tokens: number;
  cost_usd: number | null;
  unknown_cost: number;
}

export interface ToolRow {
  name: string;
  server: string;
  calls: number;
  errors: number;
  denials: number;
  avg_latency_ms: number | null;
  cost_usd: number | null;
}

export interface UsageQueries {
  byDay(sinceDay: string): DayRow[];
  byKey(sinceDay: string): BreakdownRow[];
  byTeam(sinceDay: string): BreakdownRow[];
  byModel(sinceDay: string): BreakdownRow[];
  byTool(sinceDay: string): ToolRow[];
}

const LIMIT = 50;

// One SQL text per aggregate, shared with the PostgreSQL twin (pg-usage-queries.ts) so both
// stores compute the same figures; `?` is the since-day, the only parameter.
export const USAGE_SQL: Record<keyof UsageQueries, string> = {
  byDay: `SELECT day, count(*) AS requests,
      sum(CASE WHEN status >= 400 THEN 1 ELSE 0 END) AS errors,
      sum(cost_usd) AS cost_usd,
      sum(CASE WHEN cost_usd IS NULL OR cost_unknown <> 0 THEN 1 ELSE 0 END) AS unknown_cost,
      sum(prompt_tokens + completion_tokens) AS tokens
    FROM requests WHERE day >= ? GROUP BY day ORDER BY day`,
  byKey: `SELECT key_id AS label, max(team_id) AS detail, sum(requests) AS requests, sum(errors) AS errors,
      sum(prompt_tokens + completion_tokens) AS tokens, sum(cost_usd) AS cost_usd, sum(unknown_cost_requests) AS unknown_cost
    FROM cost_by_key_day WHERE day >= ? GROUP BY key_id ORDER BY sum(cost_usd) DESC NULLS LAST, sum(requests) DESC LIMIT ${LIMIT}`,
  byTeam: `SELECT team_id AS label, NULL AS detail, sum(requests) AS requests, sum(errors) AS errors,
      sum(prompt_tokens + completion_tokens) AS tokens, sum(cost_usd) AS cost_usd, sum(unknown_cost_requests) AS unknown_cost
    FROM cost_by_key_day WHERE day >= ? GROUP BY team_id ORDER BY sum(cost_usd) DESC NULLS LAST, sum(requests) DESC LIMIT ${LIMIT}`,
  byModel: `SELECT model AS label, provider AS detail, sum(llm_calls) AS requests, sum(errors) AS errors,
      sum(prompt_tokens + completion_tokens) AS tokens, sum(cost_usd) AS cost_usd, sum(unknown_cost_calls) AS unknown_cost
    FROM cost_by_model_day WHERE day >= ? GROUP BY provider, model ORDER BY sum(cost_usd) DESC NULLS LAST, sum(llm_calls) DESC LIMIT ${LIMIT}`,
  byTool: `SELECT name, max(server) AS server, sum(calls) AS calls, sum(errors) AS errors, sum(denials) AS denials,
      sum(avg_latency_ms * (calls - denials)) / nullif(sum(CASE WHEN avg_latency_ms IS NULL THEN 0 ELSE calls - denials END), 0) AS avg_latency_ms,
      sum(cost_usd) AS cost_usd
    FROM tool_usage_day WHERE day >= ? GROUP BY name ORDER BY sum(calls) DESC LIMIT ${LIMIT}`,
};

export function createUsageQueries(sqlite: Sqlite): UsageQueries {
  const byDay = sqlite.prepare(USAGE_SQL.byDay);
  const byKey = sqlite.prepare(USAGE_SQL.byKey);
  const byTeam = sqlite.prepare(USAGE_SQL.byTeam);
  const byModel = sqlite.prepare(USAGE_SQL.byModel);
  const byTool = sqlite.prepare(USAGE_SQL.byTool);
  return {
    byDay: (since) => byDay.all(since) as DayRow[],
    byKey: (since) => byKey.all(since) as BreakdownRow[],
    byTeam: (since) => byTeam.all(since) as BreakdownRow[],
    byModel: (since) => byModel.all(since) as BreakdownRow[],
    byTool: (since) => byTool.all(since) as ToolRow[],
  };
}

/** The UTC day ('YYYY-MM-DD') `days - 1` days before `now`, so the range holds `days` days. */
export function sinceDay(now: number, days: number): string {
  return new Date(now - (days - 1) * 86_400_000).toISOString().slice(0, 10);
}

/** One row per day from `since` to `today` (inclusive), zeros where no request happened, so a chart's x axis is time. */
export function fillDays(rows: DayRow[], since: string, today: string): DayRow[] {
  const byDay = new Map(rows.map((r) => [r.day, r]));
  const out: DayRow[] = [];
  for (let t = Date.parse(`${since}T00:00Z`), end = Date.parse(`${today}T00:00Z`); t <= end && out.length < 400; t += 86_400_000) {
    const day = new Date(t).toISOString().slice(0, 10);
    out.push(byDay.get(day) ?? { day, requests: 0, errors: 0, cost_usd: 0, unknown_cost: 0, tokens: 0 });
  }
  return out;
}
