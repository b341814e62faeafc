// Prepared INSERTs for the ledger, built once per connection. Positional parameters and plain
// arrays: no per-row object spreading, and better-sqlite3 rejects booleans/undefined, so the
// mapping converts them here.
import type { Sqlite } from '../db/open.js';
import type { LedgerItem, LlmCallRow, PayloadRow, RequestRow, ToolCallRow } from './rows.js';

export type Params = (string | number | null)[];

// C0 control characters other than tab, newline and carriage return, and DEL. PostgreSQL refuses
// NUL in text outright (one such row would fail its whole batch); the others are stripped too so
// the two stores hold the same text. JSON bodies are unaffected: JSON.stringify escapes them.
// (Built from a string: the linter rightly flags control characters in regex literals elsewhere.)
const CONTROL_CLASS = '[\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f]';
const CONTROL = new RegExp(CONTROL_CLASS, 'g');
const CONTROL_TEST = new RegExp(CONTROL_CLASS);

/** The parameters with control characters stripped from every text value (in place). */
export function cleanText(params: Params): Params {
  for (let i = 0; i < params.length; i++) {
    const v = params[i];
    if (typeof v === 'string' && CONTROL_TEST.test(v)) params[i] = v.replace(CONTROL, '');
  }
  return params;
}

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
    r.operation ?? 'call',
    n(r.warnings),
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
    'operation',
    'warnings',
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

/** The parameter array of any ledger item, in LEDGER_COLUMNS order, control characters stripped. */
export function itemParams(item: LedgerItem): Params {
  return cleanText(rowParams(item));
}

/** As itemParams, text as it is (cleanText is left to whoever inserts them: writeRows). */
export function rowParams(item: LedgerItem): Params {
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

/** A row the database refused as a data error, set aside in ledger_dead_letters. */
export interface DeadLetter {
  ts: number;
  item: LedgerItem;
  error: string;
}

export const DEAD_LETTER_COLUMNS = ['ts', 'table_name', 'row', 'error'] as const;

/** The dead letter's parameters: the row as JSON (escaped, so storable whatever it holds). */
export function deadLetterParams(d: DeadLetter): Params {
  return cleanText([d.ts, d.item.table, JSON.stringify(d.item.row), d.error]);
}

const SQL = {
  requests: insert('requests', [...LEDGER_COLUMNS.requests]),
  llm_calls: insert('llm_calls', [...LEDGER_COLUMNS.llm_calls]),
  tool_calls: insert('tool_calls', [...LEDGER_COLUMNS.tool_calls]),
  payloads: insert('payloads', [...LEDGER_COLUMNS.payloads]),
  deadLetters: insert('ledger_dead_letters', [...DEAD_LETTER_COLUMNS]),
} as const;

export interface LedgerStatements {
  /** Inserts one item (inside whatever transaction the caller opened). */
  write(item: LedgerItem): void;
  /** Inserts all items in ONE transaction; all or nothing. */
  writeBatch(items: readonly LedgerItem[]): void;
  /** Sets refused rows aside in ledger_dead_letters (one transaction). */
  writeDeadLetters(letters: readonly DeadLetter[]): void;
  /** As writeBatch, the items given as their tables and rowParams (what crosses to the writer thread). */
  writeRows(tables: readonly LedgerItem['table'][], params: readonly Params[]): void;
}

export function prepareLedgerStatements(sqlite: Sqlite): LedgerStatements {
  const req = sqlite.prepare(SQL.requests);
  const llm = sqlite.prepare(SQL.llm_calls);
  const tool = sqlite.prepare(SQL.tool_calls);
  const pay = sqlite.prepare(SQL.payloads);
  const dead = sqlite.prepare(SQL.deadLetters);
  const statement = { requests: req, llm_calls: llm, tool_calls: tool, payloads: pay } as const;
  const write = (item: LedgerItem): void => {
    statement[item.table].run(itemParams(item));
  };
  const writeBatch = sqlite.transaction((items: readonly LedgerItem[]) => {
    for (const item of items) write(item);
  });
  const writeDeadLetters = sqlite.transaction((letters: readonly DeadLetter[]) => {
    for (const d of letters) dead.run(deadLetterParams(d));
  });
  const writeRows = sqlite.transaction((tables: readonly LedgerItem['table'][], params: readonly Params[]) => {
    for (let i = 0; i < tables.length; i++) statement[tables[i]!].run(cleanText(params[i]!));
  });
  return {
    write,
    writeBatch: (items) => writeBatch(items),
    writeDeadLetters: (letters) => writeDeadLetters(letters),
    writeRows: (tables, params) => writeRows(tables, params),
  };
}
