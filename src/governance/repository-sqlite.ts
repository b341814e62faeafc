// Persistence of keys, teams and customers created through the admin API (and the config's,
// recorded with source 'config'). Policy fields of a key live in one JSON column so the policy
// can grow without a migration; the columns people filter on (team, disabled, expiry) are real.
import { eq } from 'drizzle-orm';
import type { Budget } from '../config-schema.js';
import type { CustomerRecord, GovernanceRepository, TeamRecord, VirtualKeyRecord } from './types.js';
import type { Db } from '../db/open.js';
import { customers, teams, virtualKeys } from '../db/schema.js';

type KeyRow = typeof virtualKeys.$inferSelect;

/** The JSON held in virtual_keys.config. */
type KeyPolicy = Pick<
  VirtualKeyRecord,
  'models' | 'tools' | 'prompts' | 'resources' | 'budget' | 'rateLimit' | 'toolLimits' | 'approval' | 'loop'
>;

export interface GovernanceRepositoryOptions {
  /** Clock for teams'/customers' created_at/updated_at (keys carry their own). */
  now?: () => number;
}

/** Shared with the PostgreSQL repository (same columns, same JSON). */
export function keyFromRow(row: KeyRow): VirtualKeyRecord {
  let policy: KeyPolicy;
  try {
    policy = JSON.parse(row.config) as KeyPolicy;
  } catch (err) {
    throw new Error(`virtual_keys row ${row.id} has an unreadable config column: ${(err as Error).message}`, { cause: err });
  }
  return {
    id: row.id,
    ...(row.name === null ? {} : { name: row.name }),
    keyHash: row.keyHash,
    ...(row.teamId === null ? {} : { team: row.teamId }),
    models: policy.models,
    tools: policy.tools,
    ...(policy.prompts ? { prompts: policy.prompts } : {}),
    ...(policy.resources ? { resources: policy.resources } : {}),
    ...(policy.budget ? { budget: policy.budget } : {}),
    ...(policy.rateLimit ? { rateLimit: policy.rateLimit } : {}),
    toolLimits: policy.toolLimits ?? [],
    ...(policy.approval?.length ? { approval: policy.approval } : {}),
    loop: policy.loop,
    disabled: row.disabled !== 0,
    expiresAt: row.expiresAt,
    source: row.source as VirtualKeyRecord['source'],
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

export function keyToRow(key: VirtualKeyRecord): KeyRow {
  const policy: KeyPolicy = {
    models: key.models,
    tools: key.tools,
    prompts: key.prompts,
    resources: key.resources,
    budget: key.budget,
    rateLimit: key.rateLimit,
    toolLimits: key.toolLimits,
    approval: key.approval,
    loop: key.loop,
  };
  return {
    id: key.id,
    name: key.name ?? null,
    keyHash: key.keyHash,
    teamId: key.team ?? null,
    config: JSON.stringify(policy),
    disabled: key.disabled ? 1 : 0,
    expiresAt: key.expiresAt ?? null,
    source: key.source,
    createdAt: key.createdAt,
    updatedAt: key.updatedAt,
  };
}

const budgetFrom = (usd: number | null, period: string | null): { budget?: Budget } =>
  usd === null ? {} : { budget: { usd, period: (period ?? 'month') as Budget['period'] } };

/** The columns teams and customers share in both stores. */
interface BudgetRow {
  id: string;
  budgetUsd: number | null;
  budgetPeriod: string | null;
  source: string;
}

/** Shared with the PostgreSQL repository, like keyFromRow. */
export function teamFromRow(r: BudgetRow & { customerId: string | null }): TeamRecord {
  return {
    id: r.id,
    ...(r.customerId === null ? {} : { customer: r.customerId }),
    ...budgetFrom(r.budgetUsd, r.budgetPeriod),
    source: r.source as TeamRecord['source'],
  };
}

export function customerFromRow(r: BudgetRow): CustomerRecord {
  return { id: r.id, ...budgetFrom(r.budgetUsd, r.budgetPeriod), source: r.source as CustomerRecord['source'] };
}

/** The columns an upsert writes (created_at only on insert). */
export function customerFields(c: CustomerRecord, updatedAt: number) {
  return { budgetUsd: c.budget?.usd ?? null, budgetPeriod: c.budget?.period ?? null, source: c.source, updatedAt };
}

export function teamFields(team: TeamRecord, updatedAt: number) {
  return { customerId: team.customer ?? null, ...customerFields({ id: team.id, budget: team.budget, source: team.source }, updatedAt) };
}

export function createGovernanceRepository(db: Db, opts: GovernanceRepositoryOptions = {}): GovernanceRepository {
  const now = opts.now ?? Date.now;

  return {
    async listKeys() {
      return db.select().from(virtualKeys).orderBy(virtualKeys.id).all().map(keyFromRow);
    },
    async upsertKey(key) {
      const row = keyToRow(key);
      const { id: _id, createdAt: _created, ...changes } = row;
      try {
        db.insert(virtualKeys).values(row).onConflictDoUpdate({ target: virtualKeys.id, set: changes }).run();
      } catch (err) {
        if (/UNIQUE constraint failed: virtual_keys\.key_hash/.test((err as Error).message)) {
          throw new Error(`virtual key ${key.id}: another key already uses the same secret`, { cause: err });
        }
        throw err;
      }
    },
    async deleteKey(id) {
      return db.delete(virtualKeys).where(eq(virtualKeys.id, id)).run().changes > 0;
    },

    async listTeams() {
      return db.select().from(teams).orderBy(teams.id).all().map(teamFromRow);
    },
    async upsertTeam(team) {
      const t = now();
      const fields = teamFields(team, t);
      db.insert(teams)
        .values({ id: team.id, createdAt: t, ...fields })
        .onConflictDoUpdate({ target: teams.id, set: fields })
        .run();
    },
    async deleteTeam(id) {
      return db.delete(teams).where(eq(teams.id, id)).run().changes > 0;
    },

    async listCustomers() {
      return db.select().from(customers).orderBy(customers.id).all().map(customerFromRow);
    },
    async upsertCustomer(customer) {
      const t = now();
      const fields = customerFields(customer, t);
      db.insert(customers)
        .values({ id: customer.id, createdAt: t, ...fields })
        .onConflictDoUpdate({ target: customers.id, set: fields })
        .run();
    },
    async deleteCustomer(id) {
      return db.delete(customers).where(eq(customers.id, id)).run().changes > 0;
    },
  };
}
