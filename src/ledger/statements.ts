// Prepared INSERTs for the ledger, built once per connection. Positional parameters and plain
// arrays: no per-row object spreading, and better-sqlite3 rejects booleans/undefined, so the
// mapping converts them here.
import type { Sqlite } from '../db/open.js';
import type { LedgerItem, LlmCallRow, PayloadRow, RequestRow, ToolCallRow } from './rows.js';

export type Params = (string | number | null)[];

const n = (v: string | number | null | undefined): string | number | null => (v === undefined ? null : v);
const flag = (v: boolean | undefined, fallback: boolean): number => ((v ?? fallback) ? 1 : 0);

export function requestParams(r: RequestRow): Params {
  return [
    r.id,
    r.ts,
    n(r.keyId),
    n(r.teamId),
    n(r.customerId),
    n(r.model),
    n(r.provider),
    n(r.upstreamModel),
    r.status,
    n(r.errorType),
    n(r.errorMessage),
    flag(r.stream, false),
    r.rounds ?? 0,
    r.toolCalls ?? 0,
    r.promptTokens ?? 0,
    r.completionTokens ?? 0,
    r.cachedTokens ?? 0,
    r.costUsd,
    flag(r.costUnknown, r.costUsd === null),
    r.costBasis ?? 'usage',
    r.latencyMs ?? 0,
    r.source ?? 'chat',
    r.surface ?? 'chat',
    n(r.sessionId),
  ];
}

export function llmCallParams(r: LlmCallRow): Params {
  return [
    r.requestId,
    r.ts,
    r.round ?? 0,
    r.attempt ?? 0,
    r.provider,
    r.model,
    r.status,
    n(r.errorType),
    r.promptTokens ?? 0,
    r.completionTokens ?? 0,
    r.cachedTokens ?? 0,
    r.costUsd,
    flag(r.costUnknown, r.costUsd === null),
    r.costBasis ?? 'usage',
    r.latencyMs ?? 0,
  ];
}

export function toolCallParams(r: ToolCallRow): Params {
  return [
    n(r.requestId),
    n(r.sessionId),
    r.ts,
    n(r.keyId),
    n(r.teamId),
    n(r.customerId),
    n(r.round),
    r.server,
    r.tool,
    r.name,
    n(r.argsHash),
    r.status,
    r.decision,
    n(r.reason),
    n(r.latencyMs),
    n(r.costUsd),
    n(r.error),
    r.kind ?? 'tool',
  ];
}

export function payloadParams(r: PayloadRow): Params {
  return [n(r.requestId), r.ts, r.kind, n(r.ref), r.body];
}

function insert(table: string, columns: string[]): string {
  return `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`;
}

/** Column order of each table's parameter arrays above (shared with the PostgreSQL back end). */
export const LEDGER_COLUMNS = {
  requests: [
    'id',
    'ts',
    'key_id',
    'team_id',
    'customer_id',
    'model',
    'provider',
    'upstream_model',
    'status',
    'error_type',
    'error_message',
    'stream',
    'rounds',
    'tool_calls',
    'prompt_tokens',
    'completion_tokens',
    'cached_tokens',
    'cost_usd',
    'cost_unknown',
    'cost_basis',
    'latency_ms',
    'source',
    'surface',
    'session_id',
  ],
  llm_calls: [
    'request_id',
    'ts',
    'round',
    'attempt',
    'provider',
    'model',
    'status',
    'error_type',
    'prompt_tokens',
    'completion_tokens',
    'cached_tokens',
    'cost_usd',
    'cost_unknown',
    'cost_basis',
    'latency_ms',
  ],
  tool_calls: [
    'request_id',
    'session_id',
    'ts',
    'key_id',
    'team_id',
    'customer_id',
    'round',
    'server',
    'tool',
    'name',
    'args_hash',
    'status',
    'decision',
    'reason',
    'latency_ms',
    'cost_usd',
    'error',
    'kind',
  ],
  payloads: ['request_id', 'ts', 'kind', 'ref', 'body'],
} as const satisfies Record<LedgerItem['table'], readonly string[]>;

/** The parameter array of any ledger item, in LEDGER_COLUMNS order. */
export function itemParams(item: LedgerItem): Params {
  switch (item.table) {
    case 'requests':
      return requestParams(item.row);
    case 'llm_calls':
      return llmCallParams(item.row);
    case 'tool_calls':
      return toolCallParams(item.row);
    case 'payloads':
      return payloadParams(item.row);
  }
}

const SQL = {
  requests: insert('requests', [...LEDGER_COLUMNS.requests]),
  llm_calls: insert('llm_calls', [...LEDGER_COLUMNS.llm_calls]),
  tool_calls: insert('tool_calls', [...LEDGER_COLUMNS.tool_calls]),
  payloads: insert('payloads', [...LEDGER_COLUMNS.payloads]),
} as const;

export interface LedgerStatements {
  /** Inserts one item (inside whatever transaction the caller opened). */
  write(item: LedgerItem): void;
  /** Inserts all items in ONE transaction; all or nothing. */
  writeBatch(items: readonly LedgerItem[]): void;
}

export function prepareLedgerStatements(sqlite: Sqlite): LedgerStatements {
  const req = sqlite.prepare(SQL.requests);
  const llm = sqlite.prepare(SQL.llm_calls);
  const tool = sqlite.prepare(SQL.tool_calls);
  const pay = sqlite.prepare(SQL.payloads);
  const write = (item: LedgerItem): void => {
    switch (item.table) {
      case 'requests':
        req.run(requestParams(item.row));
        break;
      case 'llm_calls':
        llm.run(llmCallParams(item.row));
        break;
      case 'tool_calls':
        tool.run(toolCallParams(item.row));
        break;
      case 'payloads':
        pay.run(payloadParams(item.row));
        break;
    }
  };
  const writeBatch = sqlite.transaction((items: readonly LedgerItem[]) => {
    for (const item of items) write(item);
  });
  return { write, writeBatch: (items) => writeBatch(items) };
}
