// The SQL of the SQLite stores behind /v1/responses (stored responses, the containers each key was
// shown, and MCP approvals: src/stored-responses/sqlite-responses.ts, sqlite-approvals.ts) as one function of a plain-data
// call, so the same statements run wherever their connection is: in the ledger's writer thread (the
// gateway on a database file: src/ledger/sqlite-worker.ts, so no select, insert, trim or fsync of
// theirs runs on the event loop that serves requests), or on the caller's own connection
// (':memory:' databases, which a worker cannot share, and unit tests).
// It lives in db/, below both the ledger (whose thread runs it) and src/stored-responses (which
// sends it), so neither imports the other; the row shapes are spelled out here for that reason.
// Each family prepares its statements once, on its first call (a gateway that never stores a
// response prepares none). Times come from the caller's clock, never from here.
import type { Sqlite } from './open-sqlite.js';

/** A row of stored_responses as read (src/stored-responses/response-store.ts ResponseRow is this type). */
export interface ResponseDbRow {
  id: string;
  key_id: string | null;
  provider: string | null;
  response: string | null;
  messages: string | null;
}

/** An approval to insert as pending (src/stored-responses/approvals.ts ApprovalRecord is this type). */
export interface ApprovalInsert {
  id: string;
  keyId: string | null;
  requestId: string;
  serverLabel: string;
  /** Gateway tool name (server__tool). */
  name: string;
  /** Exactly as proposed: the call runs with these. */
  arguments: string;
  callId: string;
  ts: number;
  expiresAt: number;
}

/**
 * A stored_responses row to write: written again by its key, it replaces the row (harmless); an id
 * another key's unexpired row holds is not written (the first key keeps it: an id clash).
 */
export interface ResponseWriteRow {
  id: string;
  keyId: string | null;
  provider: string | null;
  response: string | null;
  messages: string | null;
  ts: number;
  expiresAt: number;
}

/** A row of mcp_approvals as SQLite returns it. */
export interface ApprovalDbRow {
  id: string;
  key_id: string | null;
  request_id: string;
  server_label: string;
  name: string;
  arguments: string;
  call_id: string;
  ts: number;
  expires_at: number;
  status: string;
}

/** Each call: its arguments and what it returns. */
export interface StoreCalls {
  /**
   * One transaction: delete expired rows (if pruneBefore), write the rows, trim each key written to
   * `keep`. Returns the ids not written: another key's unexpired row holds them (at `now`).
   */
  'responses.write': [{ rows: ResponseWriteRow[]; keep: number; pruneBefore: number | null; now: number }, string[]];
  'responses.get': [{ id: string; keyId: string | null; now: number }, ResponseDbRow | undefined];
  /** Whether an unexpired row of this key was deleted. */
  'responses.delete': [{ id: string; keyId: string | null; now: number }, boolean];
  /** An unexpired upstream row of this key holding `needle` (an item id as JSON) in its item ids: its response column. */
  /** Whether another key's unexpired row has this id. */
  'responses.heldByOther': [{ id: string; keyId: string | null; now: number }, boolean];
  'responses.shownItem': [{ needle: string; keyId: string | null; now: number }, { response: string | null } | undefined];
  /**
   * One transaction: delete expired rows (if pruneBefore), make `keyId` the owner of each id of this
   * kind (a new row, a row of the key's, or a row expired at `now`), trim the key's rows of the kind
   * to `keep`. Returns the ids not taken: another key's unexpired row (or another kind's) holds them.
   */
  'containers.show': [
    {
      kind: string;
      ids: string[];
      keyId: string | null;
      ts: number;
      expiresAt: number;
      keep: number;
      pruneBefore: number | null;
      now: number;
      /** The ids' size (shown_containers.tokens), null when not known. */
      tokens: number | null;
    },
    string[],
  ];
  /** An unexpired row of this kind saying this key was shown the id: its recorded size. */
  'containers.owns': [{ kind: string; id: string; keyId: string | null; now: number }, { tokens: number | null } | undefined];
  /** One transaction: delete rows that expired before pruneBefore (if set), insert the records as pending. */
  'approvals.propose': [{ records: ApprovalInsert[]; pruneBefore: number | null }, undefined];
  'approvals.get': [{ id: string }, ApprovalDbRow | undefined];
  /** The conditional UPDATE; `row` (read after it) only when it matched nothing. */
  'approvals.decide': [
    { id: string; keyId: string | null; now: number; requestId: string; status: 'approved' | 'denied' },
    { won?: ApprovalDbRow; row?: ApprovalDbRow },
  ];
}

export type StoreFn = keyof StoreCalls;
export type StoreCallOf<F extends StoreFn> = { fn: F } & StoreCalls[F][0];
export type StoreCall = { [F in StoreFn]: StoreCallOf<F> }[StoreFn];
/** Runs a call: here (synchronously) or in the writer thread (a Promise). */
export type StoreRun = <F extends StoreFn>(call: StoreCallOf<F>) => StoreCalls[F][1] | Promise<StoreCalls[F][1]>;

function prepareResponses(db: Sqlite) {
  // The first key keeps an id: another key's write of it changes nothing until its row expires.
  const insert = db.prepare(
    `INSERT INTO stored_responses (id, key_id, provider, response, messages, ts, expires_at)
     VALUES (@id, @keyId, @provider, @response, @messages, @ts, @expiresAt)
     ON CONFLICT (id) DO UPDATE SET key_id = excluded.key_id, provider = excluded.provider, response = excluded.response,
       messages = excluded.messages, ts = excluded.ts, expires_at = excluded.expires_at
     WHERE stored_responses.key_id IS excluded.key_id OR stored_responses.expires_at <= @now`,
  );
  const select = db.prepare(
    'SELECT id, key_id, provider, response, messages FROM stored_responses WHERE id = ? AND key_id IS ? AND expires_at > ?',
  );
  const remove = db.prepare('DELETE FROM stored_responses WHERE id = ? AND key_id IS ? AND expires_at > ?');
  const others = db.prepare('SELECT 1 FROM stored_responses WHERE id = ? AND key_id IS NOT ? AND expires_at > ?');
  const trim = db.prepare(
    `DELETE FROM stored_responses WHERE key_id IS @keyId AND ts <= (
       SELECT ts FROM stored_responses WHERE key_id IS @keyId ORDER BY ts DESC LIMIT 1 OFFSET @keep)`,
  );
  const prune = db.prepare('DELETE FROM stored_responses WHERE expires_at <= ?');
  // At most maxStoredPerKey rows of the key are read (its key_id index), only for an item_reference.
  const owns = db.prepare(
    `SELECT response FROM stored_responses WHERE key_id IS ? AND provider IS NOT NULL AND expires_at > ? AND instr(messages, ?) > 0 LIMIT 1`,
  );
  const write = db.transaction(({ rows, keep, pruneBefore, now }: StoreCalls['responses.write'][0]): string[] => {
    if (pruneBefore !== null) prune.run(pruneBefore);
    const keys = new Set<string | null>();
    const clashed: string[] = [];
    for (const r of rows) {
      const { changes } = insert.run({
        id: r.id,
        keyId: r.keyId,
        provider: r.provider,
        response: r.response,
        messages: r.messages,
        ts: r.ts,
        expiresAt: r.expiresAt,
        now,
      });
      if (changes === 0) clashed.push(r.id);
      else keys.add(r.keyId);
    }
    for (const keyId of keys) trim.run({ keyId, keep });
    return clashed;
  });
  return {
    write: (c: StoreCalls['responses.write'][0]) => write(c),
    get: (c: StoreCalls['responses.get'][0]) => select.get(c.id, c.keyId, c.now) as ResponseDbRow | undefined,
    delete: (c: StoreCalls['responses.delete'][0]) => remove.run(c.id, c.keyId, c.now).changes > 0,
    shownItem: (c: StoreCalls['responses.shownItem'][0]) => owns.get(c.keyId, c.now, c.needle) as { response: string | null } | undefined,
    heldByOther: (c: StoreCalls['responses.heldByOther'][0]) => others.get(c.id, c.keyId, c.now) !== undefined,
  };
}

function prepareContainers(db: Sqlite) {
  // The first key shown an id keeps it: another key's (or kind's) write changes nothing until its row expires.
  const upsert = db.prepare(
    `INSERT INTO shown_containers (id, kind, key_id, ts, expires_at, tokens) VALUES (@id, @kind, @keyId, @ts, @expiresAt, @tokens)
     ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, key_id = excluded.key_id, ts = excluded.ts, expires_at = excluded.expires_at, tokens = excluded.tokens
     WHERE (shown_containers.key_id IS excluded.key_id AND shown_containers.kind = excluded.kind) OR shown_containers.expires_at <= @now`,
  );
  const owns = db.prepare('SELECT tokens FROM shown_containers WHERE id = ? AND kind = ? AND key_id IS ? AND expires_at > ?');
  const trim = db.prepare(
    `DELETE FROM shown_containers WHERE key_id IS @keyId AND kind = @kind AND ts <= (
       SELECT ts FROM shown_containers WHERE key_id IS @keyId AND kind = @kind ORDER BY ts DESC LIMIT 1 OFFSET @keep)`,
  );
  const prune = db.prepare('DELETE FROM shown_containers WHERE expires_at <= ?');
  const show = db.transaction((c: StoreCalls['containers.show'][0]): string[] => {
    if (c.pruneBefore !== null) prune.run(c.pruneBefore);
    const clashed: string[] = [];
    // Each id a later ts than the one before, so the trim's cut never falls on a tie.
    for (let i = 0; i < c.ids.length; i++) {
      const row = { id: c.ids[i], kind: c.kind, keyId: c.keyId, ts: c.ts + i, expiresAt: c.expiresAt, now: c.now, tokens: c.tokens };
      if (upsert.run(row).changes === 0) clashed.push(c.ids[i]!);
    }
    trim.run({ keyId: c.keyId, kind: c.kind, keep: c.keep });
    return clashed;
  });
  return {
    show: (c: StoreCalls['containers.show'][0]) => show(c),
    owns: (c: StoreCalls['containers.owns'][0]) => owns.get(c.id, c.kind, c.keyId, c.now) as { tokens: number | null } | undefined,
  };
}

function prepareApprovals(db: Sqlite) {
  const insert = db.prepare(
    `INSERT INTO mcp_approvals (id, key_id, request_id, server_label, name, arguments, call_id, ts, expires_at, status)
     VALUES (@id, @keyId, @requestId, @serverLabel, @name, @arguments, @callId, @ts, @expiresAt, 'pending')`,
  );
  const select = db.prepare('SELECT * FROM mcp_approvals WHERE id = ?');
  const decide = db.prepare(
    `UPDATE mcp_approvals SET status = @status, decided_at = @now, decided_in = @requestId
     WHERE id = @id AND key_id IS @keyId AND status = 'pending' AND expires_at > @now RETURNING *`,
  );
  const prune = db.prepare('DELETE FROM mcp_approvals WHERE expires_at < ?');
  const propose = db.transaction(({ records, pruneBefore }: StoreCalls['approvals.propose'][0]) => {
    if (pruneBefore !== null) prune.run(pruneBefore);
    for (const r of records) insert.run(r);
  });
  return {
    propose: (c: StoreCalls['approvals.propose'][0]) => void propose(c),
    get: (c: StoreCalls['approvals.get'][0]) => select.get(c.id) as ApprovalDbRow | undefined,
    decide: (c: StoreCalls['approvals.decide'][0]): StoreCalls['approvals.decide'][1] => {
      const won = decide.get({ id: c.id, keyId: c.keyId, now: c.now, requestId: c.requestId, status: c.status }) as
        | ApprovalDbRow
        | undefined;
      if (won) return { won };
      const row = select.get(c.id) as ApprovalDbRow | undefined;
      return row ? { row } : {};
    },
  };
}

/** The calls on this connection (synchronous: whoever holds the connection pays for them). */
export function prepareStoreOps(db: Sqlite): StoreRun {
  let responses: ReturnType<typeof prepareResponses> | undefined;
  let approvals: ReturnType<typeof prepareApprovals> | undefined;
  let containers: ReturnType<typeof prepareContainers> | undefined;
  const run = (call: StoreCall): unknown => {
    switch (call.fn) {
      case 'responses.write':
        return (responses ??= prepareResponses(db)).write(call);
      case 'responses.get':
        return (responses ??= prepareResponses(db)).get(call);
      case 'responses.delete':
        return (responses ??= prepareResponses(db)).delete(call);
      case 'responses.shownItem':
        return (responses ??= prepareResponses(db)).shownItem(call);
      case 'responses.heldByOther':
        return (responses ??= prepareResponses(db)).heldByOther(call);
      case 'containers.show':
        return (containers ??= prepareContainers(db)).show(call);
      case 'containers.owns':
        return (containers ??= prepareContainers(db)).owns(call);
      case 'approvals.propose':
        return (approvals ??= prepareApprovals(db)).propose(call);
      case 'approvals.get':
        return (approvals ??= prepareApprovals(db)).get(call);
      case 'approvals.decide':
        return (approvals ??= prepareApprovals(db)).decide(call);
    }
  };
  return run as StoreRun;
}
