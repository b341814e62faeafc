// What the dashboard pages read, as one async interface with a SQLite and a PostgreSQL
// implementation. The SQLite side is the existing synchronous prepared statements (awaiting a
// plain value costs a microtask, nothing more); the PostgreSQL side runs the same SQL on the
// store's pool. Routes only see DashboardQueries.
import type { Sqlite } from '../db/open.js';
import type {
  LlmCallDetail,
  PayloadDetail,
  RequestDetailRow,
  RequestFilters,
  RequestListRow,
  RequestQueries,
  ToolCallDetail,
} from './request-queries.js';
import { createRequestQueries } from './request-queries.js';
import type { BreakdownRow, DayRow, ToolRow, UsageQueries } from './usage-queries.js';
import { createUsageQueries } from './usage-queries.js';

export interface RequestDetail {
  request: RequestDetailRow;
  llmCalls: LlmCallDetail[];
  toolCalls: ToolCallDetail[];
  payloads: PayloadDetail[];
}

export interface UsageReport {
  /** Days with requests only; the page fills the gaps. */
  byDay: DayRow[];
  byKey: BreakdownRow[];
  byTeam: BreakdownRow[];
  byModel: BreakdownRow[];
  byTool: ToolRow[];
}

export interface DashboardQueries {
  listRequests(filters: RequestFilters, limit: number): Promise<RequestListRow[]>;
  /** The request and its trace rows; undefined when the ledger has no such request. */
  requestDetail(id: string): Promise<RequestDetail | undefined>;
  /** Known key and team ids, for the filter form's suggestions. */
  filterOptions(): Promise<{ keys: string[]; teams: string[] }>;
  /** Aggregates over the UTC days from `sinceDay` ('YYYY-MM-DD') on. */
  usage(sinceDay: string): Promise<UsageReport>;
}

/** Each method of T may answer synchronously (SQLite) or with a promise (PostgreSQL). */
export type Awaitable<T> = { [K in keyof T]: T[K] extends (...args: infer A) => infer R ? (...args: A) => R | Promise<R> : T[K] };

/** DashboardQueries over per-table queries of either store. */
export function composeDashboardQueries(requests: Awaitable<RequestQueries>, usage: Awaitable<UsageQueries>): DashboardQueries {
  return {
    listRequests: async (filters, limit) => requests.list(filters, limit),
    async requestDetail(id) {
      const request = await requests.request(id);
      if (!request) return undefined;
      const [llmCalls, toolCalls, payloads] = await Promise.all([requests.llmCalls(id), requests.toolCalls(id), requests.payloads(id)]);
      return { request, llmCalls, toolCalls, payloads };
    },
    async filterOptions() {
      const [keys, teams] = await Promise.all([requests.keyIds(), requests.teamIds()]);
      return { keys, teams };
    },
    async usage(since) {
      const [byDay, byKey, byTeam, byModel, byTool] = await Promise.all([
        usage.byDay(since),
        usage.byKey(since),
        usage.byTeam(since),
        usage.byModel(since),
        usage.byTool(since),
      ]);
      return { byDay, byKey, byTeam, byModel, byTool };
    },
  };
}

export function createSqliteDashboardQueries(sqlite: Sqlite): DashboardQueries {
  return composeDashboardQueries(createRequestQueries(sqlite), createUsageQueries(sqlite));
}
