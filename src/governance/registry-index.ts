// The registry's in-memory index (keys by secret hash and by id, teams, customers) and how it is
// built: from the config file, then the database's API-created entries (load), then re-read
// wholesale when another replica wrote (reload). Separate from registry.ts so the precedence
// rules (config wins; an unchanged key keeps its compiled policy) sit in one place, as pure
// functions, apart from authentication and the admin writes.
import type { CustomerConfig, TeamConfig, VirtualKeyConfig } from '../config-schema.js';
import { GatewayError } from '../errors.js';
import { refuseBlocked, withRequester } from './requester.js';
import { hashKey } from './keys.js';
import { compilePolicy } from './policy.js';
import * as rec from './records.js';
import { unmatchableToolRules } from './stored-tool-rules.js';
import type { CompiledPolicy, CustomerRecord, KeyContext, TeamRecord, VirtualKeyRecord } from './types.js';

export interface KeyEntry {
  record: VirtualKeyRecord;
  /** Compiled once per key version; replaced together with the record. */
  policy: CompiledPolicy;
}

/** Keys by secret hash (authentication) and by id (the admin API), teams and customers. */
export interface RegistryIndex {
  byHash: Map<string, KeyEntry>;
  byId: Map<string, KeyEntry>;
  teams: Map<string, TeamRecord>;
  customers: Map<string, CustomerRecord>;
}

/** What the repository holds: the API-created entries. */
export interface StoredEntries {
  customers: CustomerRecord[];
  teams: TeamRecord[];
  keys: VirtualKeyRecord[];
}

/** Adds or replaces a key (and drops the hash of the version it replaces). */
export function putKey(index: RegistryIndex, record: VirtualKeyRecord): void {
  const previous = index.byId.get(record.id);
  if (previous) index.byHash.delete(previous.record.keyHash);
  const entry = { record, policy: compilePolicy(record) };
  index.byId.set(record.id, entry);
  index.byHash.set(record.keyHash, entry);
}

/** The config file's entries; a key with another key's secret is skipped with a warning. */
export function indexFromConfig(
  config: { virtualKeys: VirtualKeyConfig[]; teams: TeamConfig[]; customers: CustomerConfig[] },
  now: number,
  warnings: string[],
): RegistryIndex {
  const index: RegistryIndex = { byHash: new Map(), byId: new Map(), teams: new Map(), customers: new Map() };
  for (const c of config.customers) index.customers.set(c.id, rec.customerRecord(c, 'config'));
  for (const t of config.teams) index.teams.set(t.id, rec.teamRecord(t, 'config'));
  for (const k of config.virtualKeys) {
    const { key, ...input } = k;
    const record = rec.keyRecordFromInput(input, hashKey(key), 'config', now);
    if (index.byHash.has(record.keyHash)) warnings.push(`virtual key ${k.id} skipped: same secret as another key`);
    else putKey(index, record);
  }
  return index;
}

/**
 * Adds the database's entries at startup. Config wins on id clashes (and on a key's secret). A stored
 * key with a tool rule no gateway name can match loads all the same, with a warning (stored-tool-rules.ts).
 */
export function addStored(index: RegistryIndex, stored: StoredEntries, warnings: string[]): void {
  for (const c of stored.customers) {
    if (index.customers.has(c.id)) warnings.push(`customer ${c.id} from the database ignored: defined in config`);
    else index.customers.set(c.id, { ...c, source: 'api' });
  }
  for (const t of stored.teams) {
    if (index.teams.has(t.id)) warnings.push(`team ${t.id} from the database ignored: defined in config`);
    else index.teams.set(t.id, { ...t, source: 'api' });
  }
  for (const k of stored.keys) {
    if (index.byId.has(k.id) || index.byHash.has(k.keyHash))
      warnings.push(`virtual key ${k.id} from the database ignored: id or secret defined in config`);
    else {
      putKey(index, { ...k, source: 'api' });
      warnings.push(...unmatchableToolRules(k));
    }
  }
}

/**
 * A new index with `current`'s config entries and the database's entries as they are now. A key
 * whose record did not change keeps its compiled policy.
 */
export function reloadedIndex(current: RegistryIndex, stored: StoredEntries): RegistryIndex {
  const fromConfig = <T extends { source: string }>(m: Map<string, T>) => new Map([...m].filter(([, v]) => v.source === 'config'));
  const customers = fromConfig(current.customers);
  const teams = fromConfig(current.teams);
  const byId = new Map([...current.byId].filter(([, e]) => e.record.source === 'config'));
  const byHash = new Map<string, KeyEntry>([...byId.values()].map((e) => [e.record.keyHash, e]));
  for (const c of stored.customers) if (!customers.has(c.id)) customers.set(c.id, { ...c, source: 'api' });
  for (const t of stored.teams) if (!teams.has(t.id)) teams.set(t.id, { ...t, source: 'api' });
  for (const k of stored.keys) {
    if (byId.has(k.id) || byHash.has(k.keyHash)) continue;
    const old = current.byId.get(k.id);
    const same = old && old.record.source === 'api' && old.record.updatedAt === k.updatedAt && old.record.keyHash === k.keyHash;
    const record: VirtualKeyRecord = { ...k, source: 'api' };
    const entry = same ? old : { record, policy: compilePolicy(record) };
    byId.set(k.id, entry);
    byHash.set(entry.record.keyHash, entry);
  }
  return { byHash, byId, teams, customers };
}

/**
 * Whether a reload changed anything a holder of a key's context would see: key entries are kept when
 * unchanged (compared as they are), teams and customers are read anew (compared by content).
 */
export function indexChanged(a: RegistryIndex, b: RegistryIndex): boolean {
  const differ = <T>(x: Map<string, T>, y: Map<string, T>, same: (p: T, q: T | undefined) => boolean) =>
    x.size !== y.size || [...x].some(([k, v]) => !same(v, y.get(k)));
  const sameJson = (p: unknown, q: unknown) => p === q || JSON.stringify(p) === JSON.stringify(q);
  return differ(a.byId, b.byId, (p, q) => p === q) || differ(a.teams, b.teams, sameJson) || differ(a.customers, b.customers, sameJson);
}

/** A key's context: its record and policy, its team and the team's customer as they are in `index`. */
export function contextOf(index: RegistryIndex, entry: KeyEntry): KeyContext {
  const team = entry.record.team === undefined ? undefined : index.teams.get(entry.record.team);
  const customer = team?.customer === undefined ? undefined : index.customers.get(team.customer);
  return { key: entry.record, team, customer, policy: entry.policy };
}

/** GovernanceRegistry.current: `ctx`'s key as `index` has it now; the same context while nothing changed. */
export function currentContext(index: RegistryIndex, ctx: KeyContext, now: number): KeyContext {
  const key = ctx.key;
  if (!key) return ctx;
  const entry = index.byId.get(key.id);
  if (!entry || entry.record.keyHash !== key.keyHash)
    throw withRequester(new GatewayError({ status: 401, type: 'virtual_key_not_found', message: 'virtual key not found' }), ctx);
  const team = key.team === undefined ? undefined : index.teams.get(key.team);
  const customer = team?.customer === undefined ? undefined : index.customers.get(team.customer);
  const same = entry.record === key && entry.policy === ctx.policy && team === ctx.team && customer === ctx.customer;
  const latest = same ? ctx : contextOf(index, entry);
  refuseBlocked(latest, now);
  return latest;
}

/** When the first key to expire after `now` does (undefined: none will). */
export function nextExpiry(index: RegistryIndex, now: number): number | undefined {
  let next: number | undefined;
  for (const { record } of index.byId.values()) {
    const at = record.expiresAt;
    if (at != null && at > now && (next === undefined || at < next)) next = at;
  }
  return next;
}
