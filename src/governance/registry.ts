// All governance entities in memory: keys (by hash for authentication, by id for the admin API),
// teams and customers. Config entries are loaded at construction and are read-only through the
// API; API-created entries are written through the repository first, then into the maps, so a
// failed write never leaves memory ahead of the database. How the index is built and reloaded is
// in registry-index.ts; the checks an admin write must pass are in registry-write-rules.ts.
import { timingSafeEqual } from 'node:crypto';
import type { CustomerConfig, TeamConfig, VirtualKeyConfig } from '../config-schema.js';
import { GatewayError } from '../errors.js';
import { generateKeySecret, hashKey } from './keys.js';
import { OPEN_POLICY } from './policy.js';
import { refuseBlocked } from './requester.js';
import * as rec from './records.js';
import {
  addStored,
  contextOf,
  currentContext,
  indexChanged,
  indexFromConfig,
  nextExpiry,
  putKey,
  reloadedIndex,
  type KeyEntry,
  type RegistryIndex,
  type StoredEntries,
} from './registry-index.js';
import { checkCustomerRef, checkTeamRef, conflict, writable } from './registry-write-rules.js';
import type { CustomerRecord, GovernanceRepository, KeyContext, TeamRecord, VirtualKeyRecord } from './types.js';

export interface RegistryOptions {
  config: { virtualKeys: VirtualKeyConfig[]; teams: TeamConfig[]; customers: CustomerConfig[]; requireVirtualKey?: boolean };
  repository: GovernanceRepository;
  now: () => number;
  /** Called after each successful admin write, so other replicas can be told to reload(). */
  onChange?: () => void;
}

// Compared against when the presented key is unknown, so both paths do the same work.
const DUMMY_HASH = Buffer.alloc(32);
// How many accepted secrets keep their sha256 (see GovernanceRegistry.digests).
const MAX_DIGESTS = 1024;

export class GovernanceRegistry {
  // Replaced whole by reload(), never mutated while another replica's changes are read in.
  private index: RegistryIndex;
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
  /** Told after each admin write and reload that changed something, and when a key expires (onKeysChanged). */
  private readonly listeners = new Set<() => void>();
  private expiry: ReturnType<typeof setTimeout> | undefined;
  /** Admin writes run one at a time so check-then-write cannot interleave (e.g. two creates of one id). */
  private writes: Promise<unknown> = Promise.resolve();
  /** Things an operator should see at startup (duplicates skipped). */
  readonly warnings: string[] = [];

  constructor(opts: RegistryOptions) {
    this.repo = opts.repository;
    this.onChange = opts.onChange;
    this.now = opts.now;
    this.requireVirtualKey = opts.config.requireVirtualKey ?? true;
    this.index = indexFromConfig(opts.config, this.now(), this.warnings);
  }

  /** Loads API-created entries from the repository. Config wins on id clashes. */
  async load(): Promise<void> {
    const stored = await this.readStored();
    addStored(this.index, stored, this.warnings);
  }

  /**
   * Re-reads the API-created entries (another replica may have written them) and swaps all maps
   * at once, so a request sees either the old set or the new one. Config entries stay as they are;
   * a key whose record did not change keeps its compiled policy.
   */
  reload(): Promise<void> {
    return this.serial(async () => {
      const before = this.index;
      this.index = reloadedIndex(before, await this.readStored());
      if (indexChanged(before, this.index)) this.changed();
    }, false);
  }

  /** `listener` is called after each change of keys, teams or customers (admin write or reload); returns its removal. */
  onKeysChanged(listener: () => void): () => void {
    this.listeners.add(listener);
    if (this.listeners.size === 1) this.armExpiry(); // armed already otherwise (one scan of the keys, not one per session)
    return () => this.listeners.delete(listener);
  }
  private changed(then?: () => void, expired?: number): void {
    for (const l of this.listeners) l();
    then?.();
    this.armExpiry(expired);
  }
  /** Listeners are told when the next key expires too (nothing else changes then); `after`: the last expiry told. */
  private armExpiry(after = this.now()): void {
    clearTimeout(this.expiry);
    const at = this.listeners.size ? nextExpiry(this.index, after) : undefined;
    if (at === undefined) return;
    this.expiry = setTimeout(() => this.changed(undefined, at), Math.min(at - this.now() + 1, 2 ** 31 - 1)).unref();
  }

  private async readStored(): Promise<StoredEntries> {
    const [customers, teams, keys] = await Promise.all([this.repo.listCustomers(), this.repo.listTeams(), this.repo.listKeys()]);
    return { customers, teams, keys };
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
    const entry = this.index.byHash.get(digest);
    const stored = entry ? Buffer.from(entry.record.keyHash, 'hex') : DUMMY_HASH;
    if (!timingSafeEqual(stored, presented) || !entry) {
      throw new GatewayError({ status: 401, type: 'virtual_key_not_found', message: 'virtual key not found' });
    }
    if (known === undefined) {
      if (this.digests.size >= MAX_DIGESTS) this.digests.clear();
      this.digests.set(secret, digest);
    }
    const ctx = this.contextOf(entry);
    refuseBlocked(ctx, now);
    return ctx;
  }

  /**
   * An admitted request's key now, re-read by id where used (a loop's next round, a tool call): deleted
   * (or remade with another secret) 401, blocked 403, changed its new rules; unchanged the same context.
   */
  current(ctx: KeyContext, now: number = this.now()): KeyContext {
    return currentContext(this.index, ctx, now);
  }

  /** The context of a key by id, without authentication (usage reports, the dashboard). */
  contextForKey(id: string): KeyContext | undefined {
    const entry = this.index.byId.get(id);
    return entry && this.contextOf(entry);
  }

  private contextOf(entry: KeyEntry): KeyContext {
    return contextOf(this.index, entry);
  }

  listKeys(): VirtualKeyRecord[] {
    return [...this.index.byId.values()].map((e) => e.record);
  }
  getKey(id: string): VirtualKeyRecord | undefined {
    return this.index.byId.get(id)?.record;
  }
  listTeams(): TeamRecord[] {
    return [...this.index.teams.values()];
  }
  getTeam(id: string): TeamRecord | undefined {
    return this.index.teams.get(id);
  }
  listCustomers(): CustomerRecord[] {
    return [...this.index.customers.values()];
  }
  getCustomer(id: string): CustomerRecord | undefined {
    return this.index.customers.get(id);
  }

  /** Creates an API key; the secret is returned this once and only its hash is kept. */
  createKey(input: rec.VirtualKeyInput): Promise<{ record: VirtualKeyRecord; secret: string }> {
    return this.serial(async () => {
      if (this.index.byId.has(input.id)) throw conflict(`virtual key ${input.id} already exists`, 'already_exists');
      checkTeamRef(this.index.teams, input.team);
      rec.checkWindows(input);
      const secret = generateKeySecret();
      const record = rec.keyRecordFromInput(input, hashKey(secret), 'api', this.now());
      await this.repo.upsertKey(record);
      putKey(this.index, record);
      return { record, secret };
    });
  }

  updateKey(id: string, patch: rec.VirtualKeyPatch): Promise<VirtualKeyRecord> {
    return this.serial(async () => {
      const current = this.writableKey(id);
      if (patch.team) checkTeamRef(this.index.teams, patch.team);
      rec.checkWindows({ rateLimit: patch.rateLimit ?? undefined, toolLimits: patch.toolLimits ?? [] });
      const record = rec.applyKeyPatch(current, patch, this.now());
      await this.repo.upsertKey(record);
      putKey(this.index, record);
      return record;
    });
  }

  deleteKey(id: string): Promise<void> {
    return this.serial(async () => {
      const current = this.writableKey(id);
      await this.repo.deleteKey(id);
      this.index.byId.delete(id);
      this.index.byHash.delete(current.keyHash);
    });
  }

  createTeam(input: rec.TeamInput): Promise<TeamRecord> {
    return this.serial(async () => {
      if (this.index.teams.has(input.id)) throw conflict(`team ${input.id} already exists`, 'already_exists');
      checkCustomerRef(this.index.customers, input.customer);
      const team = rec.teamRecord(input, 'api');
      await this.repo.upsertTeam(team);
      this.index.teams.set(team.id, team);
      return team;
    });
  }

  updateTeam(id: string, patch: rec.TeamPatch): Promise<TeamRecord> {
    return this.serial(async () => {
      const current = writable(this.index.teams.get(id), 'team', id);
      if (patch.customer) checkCustomerRef(this.index.customers, patch.customer);
      const team: TeamRecord = { ...current };
      if (patch.customer !== undefined) team.customer = patch.customer ?? undefined;
      if (patch.budget !== undefined) team.budget = patch.budget ?? undefined;
      await this.repo.upsertTeam(team);
      this.index.teams.set(id, team);
      return team;
    });
  }

  deleteTeam(id: string): Promise<void> {
    return this.serial(async () => {
      writable(this.index.teams.get(id), 'team', id);
      const users = this.listKeys()
        .filter((k) => k.team === id)
        .map((k) => k.id);
      if (users.length) throw conflict(`team ${id} is used by virtual keys ${users.join(', ')}; move or delete them first`, 'in_use');
      await this.repo.deleteTeam(id);
      this.index.teams.delete(id);
    });
  }

  createCustomer(input: rec.CustomerInput): Promise<CustomerRecord> {
    return this.serial(async () => {
      if (this.index.customers.has(input.id)) throw conflict(`customer ${input.id} already exists`, 'already_exists');
      const customer = rec.customerRecord(input, 'api');
      await this.repo.upsertCustomer(customer);
      this.index.customers.set(customer.id, customer);
      return customer;
    });
  }

  updateCustomer(id: string, patch: rec.CustomerPatch): Promise<CustomerRecord> {
    return this.serial(async () => {
      const current = writable(this.index.customers.get(id), 'customer', id);
      const customer: CustomerRecord = { ...current };
      if (patch.budget !== undefined) customer.budget = patch.budget ?? undefined;
      await this.repo.upsertCustomer(customer);
      this.index.customers.set(id, customer);
      return customer;
    });
  }

  deleteCustomer(id: string): Promise<void> {
    return this.serial(async () => {
      writable(this.index.customers.get(id), 'customer', id);
      const users = this.listTeams()
        .filter((t) => t.customer === id)
        .map((t) => t.id);
      if (users.length) throw conflict(`customer ${id} is used by teams ${users.join(', ')}; move or delete them first`, 'in_use');
      await this.repo.deleteCustomer(id);
      this.index.customers.delete(id);
    });
  }

  private writableKey(id: string): VirtualKeyRecord {
    return writable(this.index.byId.get(id)?.record, 'virtual key', id);
  }

  private serial<T>(fn: () => Promise<T>, notify = true): Promise<T> {
    const run = this.writes.then(fn, fn);
    this.writes = run.catch(() => undefined);
    // After a write: this replica's holders of keys (changed), then the others (onChange).
    if (notify)
      void run.then(
        () => this.changed(this.onChange),
        () => undefined,
      );
    return run;
  }
}
