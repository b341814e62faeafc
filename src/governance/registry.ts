// All governance entities in memory: keys (by hash for authentication, by id for the admin API),
// teams and customers. Config entries are loaded at construction and are read-only through the
// API; API-created entries are written through the repository first, then into the maps, so a
// failed write never leaves memory ahead of the database.
import { timingSafeEqual } from 'node:crypto';
import type { CustomerConfig, TeamConfig, VirtualKeyConfig } from '../config-schema.js';
import { type ErrorCode, GatewayError, invalidRequest, notFound } from '../errors.js';
import { generateKeySecret, hashKey } from './keys.js';
import { OPEN_POLICY, compilePolicy } from './policy.js';
import { withRequester } from './requester.js';
import * as rec from './records.js';
import type { CompiledPolicy, CustomerRecord, GovernanceRepository, KeyContext, TeamRecord, VirtualKeyRecord } from './types.js';

export interface RegistryOptions {
  config: { virtualKeys: VirtualKeyConfig[]; teams: TeamConfig[]; customers: CustomerConfig[]; requireVirtualKey?: boolean };
  repository: GovernanceRepository;
  now: () => number;
  /** Called after each successful admin write, so other replicas can be told to reload(). */
  onChange?: () => void;
}

interface KeyEntry {
  record: VirtualKeyRecord;
  /** Compiled once per key version; replaced together with the record. */
  policy: CompiledPolicy;
}

const conflict = (message: string, code: ErrorCode) => new GatewayError({ status: 409, type: 'invalid_request_error', code, message });

// Compared against when the presented key is unknown, so both paths do the same work.
const DUMMY_HASH = Buffer.alloc(32);
// How many accepted secrets keep their sha256 (see GovernanceRegistry.digests).
const MAX_DIGESTS = 1024;

export class GovernanceRegistry {
  // Replaced whole by reload(), never mutated while another replica's changes are read in.
  private byHash = new Map<string, KeyEntry>();
  private byId = new Map<string, KeyEntry>();
  private teams = new Map<string, TeamRecord>();
  private customers = new Map<string, CustomerRecord>();
  private readonly repo: GovernanceRepository;
  private readonly onChange: (() => void) | undefined;
  private readonly now: () => number;
  private readonly requireVirtualKey: boolean;
  /**
   * The sha256 (hex) of secrets that matched a key, by secret. Hashing was most of authenticate()'s
   * cost on every request (1.7% of the gateway's busy CPU at 64 connections, bench/README.md). The
   * digest is a pure function of the secret, so key edits, rotations and reloads leave nothing to
   * invalidate (the lookup by digest below still decides). Only matching secrets are kept, so
   * unknown ones cannot fill it; bounded all the same, emptied when full.
   */
  private readonly digests = new Map<string, string>();
  /** Admin writes run one at a time so check-then-write cannot interleave (e.g. two creates of one id). */
  private writes: Promise<unknown> = Promise.resolve();
  /** Things an operator should see at startup (duplicates skipped). */
  readonly warnings: string[] = [];

  constructor(opts: RegistryOptions) {
    this.repo = opts.repository;
    this.onChange = opts.onChange;
    this.now = opts.now;
    this.requireVirtualKey = opts.config.requireVirtualKey ?? true;
    const now = this.now();
    for (const c of opts.config.customers) this.customers.set(c.id, rec.customerRecord(c, 'config'));
    for (const t of opts.config.teams) this.teams.set(t.id, rec.teamRecord(t, 'config'));
    for (const k of opts.config.virtualKeys) {
      const { key, ...input } = k;
      const record = rec.keyRecordFromInput(input, hashKey(key), 'config', now);
      if (this.byHash.has(record.keyHash)) this.warnings.push(`virtual key ${k.id} skipped: same secret as another key`);
      else this.putKey(record);
    }
  }

  /** Loads API-created entries from the repository. Config wins on id clashes. */
  async load(): Promise<void> {
    const [customers, teams, keys] = await Promise.all([this.repo.listCustomers(), this.repo.listTeams(), this.repo.listKeys()]);
    for (const c of customers) {
      if (this.customers.has(c.id)) this.warnings.push(`customer ${c.id} from the database ignored: defined in config`);
      else this.customers.set(c.id, { ...c, source: 'api' });
    }
    for (const t of teams) {
      if (this.teams.has(t.id)) this.warnings.push(`team ${t.id} from the database ignored: defined in config`);
      else this.teams.set(t.id, { ...t, source: 'api' });
    }
    for (const k of keys) {
      if (this.byId.has(k.id) || this.byHash.has(k.keyHash))
        this.warnings.push(`virtual key ${k.id} from the database ignored: id or secret defined in config`);
      else this.putKey({ ...k, source: 'api' });
    }
  }

  /**
   * Re-reads the API-created entries (another replica may have written them) and swaps all maps
   * at once, so a request sees either the old set or the new one. Config entries stay as they are;
   * a key whose record did not change keeps its compiled policy.
   */
  reload(): Promise<void> {
    return this.serial(async () => {
      const [customers, teams, keys] = await Promise.all([this.repo.listCustomers(), this.repo.listTeams(), this.repo.listKeys()]);
      const fromConfig = <T extends { source: string }>(m: Map<string, T>) => new Map([...m].filter(([, v]) => v.source === 'config'));
      const nextCustomers = fromConfig(this.customers);
      const nextTeams = fromConfig(this.teams);
      const byId = new Map([...this.byId].filter(([, e]) => e.record.source === 'config'));
      const byHash = new Map<string, KeyEntry>([...byId.values()].map((e) => [e.record.keyHash, e]));
      for (const c of customers) if (!nextCustomers.has(c.id)) nextCustomers.set(c.id, { ...c, source: 'api' });
      for (const t of teams) if (!nextTeams.has(t.id)) nextTeams.set(t.id, { ...t, source: 'api' });
      for (const k of keys) {
        if (byId.has(k.id) || byHash.has(k.keyHash)) continue;
        const old = this.byId.get(k.id);
        const same = old && old.record.source === 'api' && old.record.updatedAt === k.updatedAt && old.record.keyHash === k.keyHash;
        const record: VirtualKeyRecord = { ...k, source: 'api' };
        const entry = same ? old : { record, policy: compilePolicy(record) };
        byId.set(k.id, entry);
        byHash.set(entry.record.keyHash, entry);
      }
      this.customers = nextCustomers;
      this.teams = nextTeams;
      this.byId = byId;
      this.byHash = byHash;
    }, false);
  }

  /** Resolves the caller. `secret` is what parseVirtualKey found (undefined when none was sent). */
  authenticate(secret: string | undefined, now: number = this.now()): KeyContext {
    if (!secret) {
      if (!this.requireVirtualKey) return { key: null, policy: OPEN_POLICY };
      throw new GatewayError({
        status: 401,
        type: 'virtual_key_required',
        message: 'a virtual key is required: send it as x-bf-vk or Authorization: Bearer <key>',
      });
    }
    const known = this.digests.get(secret);
    const digest = known ?? hashKey(secret);
    const presented = Buffer.from(digest, 'hex');
    const entry = this.byHash.get(digest);
    const stored = entry ? Buffer.from(entry.record.keyHash, 'hex') : DUMMY_HASH;
    if (!timingSafeEqual(stored, presented) || !entry) {
      throw new GatewayError({ status: 401, type: 'virtual_key_not_found', message: 'virtual key not found' });
    }
    if (known === undefined) {
      if (this.digests.size >= MAX_DIGESTS) this.digests.clear();
      this.digests.set(secret, digest);
    }
    const key = entry.record;
    const blocked = key.disabled
      ? `virtual key ${key.id} is disabled`
      : key.expiresAt != null && key.expiresAt <= now
        ? `virtual key ${key.id} expired at ${new Date(key.expiresAt).toISOString()}`
        : undefined;
    const ctx = this.contextOf(entry);
    if (blocked) throw withRequester(new GatewayError({ status: 403, type: 'virtual_key_blocked', message: blocked }), ctx);
    return ctx;
  }

  /** The context of a key by id, without authentication (usage reports, the dashboard). */
  contextForKey(id: string): KeyContext | undefined {
    const entry = this.byId.get(id);
    return entry && this.contextOf(entry);
  }

  private contextOf(entry: KeyEntry): KeyContext {
    const team = entry.record.team === undefined ? undefined : this.teams.get(entry.record.team);
    const customer = team?.customer === undefined ? undefined : this.customers.get(team.customer);
    return { key: entry.record, team, customer, policy: entry.policy };
  }

  listKeys(): VirtualKeyRecord[] {
    return [...this.byId.values()].map((e) => e.record);
  }
  getKey(id: string): VirtualKeyRecord | undefined {
    return this.byId.get(id)?.record;
  }
  listTeams(): TeamRecord[] {
    return [...this.teams.values()];
  }
  getTeam(id: string): TeamRecord | undefined {
    return this.teams.get(id);
  }
  listCustomers(): CustomerRecord[] {
    return [...this.customers.values()];
  }
  getCustomer(id: string): CustomerRecord | undefined {
    return this.customers.get(id);
  }

  /** Creates an API key; the secret is returned this once and only its hash is kept. */
  createKey(input: rec.VirtualKeyInput): Promise<{ record: VirtualKeyRecord; secret: string }> {
    return this.serial(async () => {
      if (this.byId.has(input.id)) throw conflict(`virtual key ${input.id} already exists`, 'already_exists');
      this.checkTeamRef(input.team);
      rec.checkWindows(input);
      const secret = generateKeySecret();
      const record = rec.keyRecordFromInput(input, hashKey(secret), 'api', this.now());
      await this.repo.upsertKey(record);
      this.putKey(record);
      return { record, secret };
    });
  }

  updateKey(id: string, patch: rec.VirtualKeyPatch): Promise<VirtualKeyRecord> {
    return this.serial(async () => {
      const current = this.writableKey(id);
      if (patch.team) this.checkTeamRef(patch.team);
      rec.checkWindows({ rateLimit: patch.rateLimit ?? undefined, toolLimits: patch.toolLimits ?? [] });
      const record = rec.applyKeyPatch(current, patch, this.now());
      await this.repo.upsertKey(record);
      this.putKey(record);
      return record;
    });
  }

  deleteKey(id: string): Promise<void> {
    return this.serial(async () => {
      const current = this.writableKey(id);
      await this.repo.deleteKey(id);
      this.byId.delete(id);
      this.byHash.delete(current.keyHash);
    });
  }

  createTeam(input: rec.TeamInput): Promise<TeamRecord> {
    return this.serial(async () => {
      if (this.teams.has(input.id)) throw conflict(`team ${input.id} already exists`, 'already_exists');
      this.checkCustomerRef(input.customer);
      const team = rec.teamRecord(input, 'api');
      await this.repo.upsertTeam(team);
      this.teams.set(team.id, team);
      return team;
    });
  }

  updateTeam(id: string, patch: rec.TeamPatch): Promise<TeamRecord> {
    return this.serial(async () => {
      const current = this.writable(this.teams.get(id), 'team', id);
      if (patch.customer) this.checkCustomerRef(patch.customer);
      const team: TeamRecord = { ...current };
      if (patch.customer !== undefined) team.customer = patch.customer ?? undefined;
      if (patch.budget !== undefined) team.budget = patch.budget ?? undefined;
      await this.repo.upsertTeam(team);
      this.teams.set(id, team);
      return team;
    });
  }

  deleteTeam(id: string): Promise<void> {
    return this.serial(async () => {
      this.writable(this.teams.get(id), 'team', id);
      const users = this.listKeys()
        .filter((k) => k.team === id)
        .map((k) => k.id);
      if (users.length) throw conflict(`team ${id} is used by virtual keys ${users.join(', ')}; move or delete them first`, 'in_use');
      await this.repo.deleteTeam(id);
      this.teams.delete(id);
    });
  }

  createCustomer(input: rec.CustomerInput): Promise<CustomerRecord> {
    return this.serial(async () => {
      if (this.customers.has(input.id)) throw conflict(`customer ${input.id} already exists`, 'already_exists');
      const customer = rec.customerRecord(input, 'api');
      await this.repo.upsertCustomer(customer);
      this.customers.set(customer.id, customer);
      return customer;
    });
  }

  updateCustomer(id: string, patch: rec.CustomerPatch): Promise<CustomerRecord> {
    return this.serial(async () => {
      const current = this.writable(this.customers.get(id), 'customer', id);
      const customer: CustomerRecord = { ...current };
      if (patch.budget !== undefined) customer.budget = patch.budget ?? undefined;
      await this.repo.upsertCustomer(customer);
      this.customers.set(id, customer);
      return customer;
    });
  }

  deleteCustomer(id: string): Promise<void> {
    return this.serial(async () => {
      this.writable(this.customers.get(id), 'customer', id);
      const users = this.listTeams()
        .filter((t) => t.customer === id)
        .map((t) => t.id);
      if (users.length) throw conflict(`customer ${id} is used by teams ${users.join(', ')}; move or delete them first`, 'in_use');
      await this.repo.deleteCustomer(id);
      this.customers.delete(id);
    });
  }

  private putKey(record: VirtualKeyRecord): void {
    const previous = this.byId.get(record.id);
    if (previous) this.byHash.delete(previous.record.keyHash);
    const entry = { record, policy: compilePolicy(record) };
    this.byId.set(record.id, entry);
    this.byHash.set(record.keyHash, entry);
  }

  private writableKey(id: string): VirtualKeyRecord {
    return this.writable(this.byId.get(id)?.record, 'virtual key', id);
  }

  private writable<T extends { source: 'config' | 'api' }>(found: T | undefined, what: string, id: string): T {
    if (!found) throw notFound(`${what} ${id} not found`);
    if (found.source === 'config') {
      throw conflict(`${what} ${id} is defined in the config file and is read-only through the API; edit the config instead`, 'read_only');
    }
    return found;
  }

  private checkTeamRef(team: string | undefined): void {
    if (team !== undefined && !this.teams.has(team)) throw invalidRequest(`team ${team} does not exist`, 'team');
  }

  private checkCustomerRef(customer: string | undefined): void {
    if (customer !== undefined && !this.customers.has(customer)) throw invalidRequest(`customer ${customer} does not exist`, 'customer');
  }

  private serial<T>(fn: () => Promise<T>, notify = true): Promise<T> {
    const run = this.writes.then(fn, fn);
    this.writes = run.catch(() => undefined);
    if (notify && this.onChange) void run.then(this.onChange, () => undefined);
    return run;
  }
}
