// The GovernanceRepository on PostgreSQL: the same records and JSON policy column as the SQLite
// repository (src/db/governance-repo.ts), so keys created on one replica load on every other.
import { eq } from 'drizzle-orm';
import type { Budget } from '../../config-schema.js';
import type { CustomerRecord, GovernanceRepository, TeamRecord, VirtualKeyRecord } from '../../governance/types.js';
import { keyFromRow, keyToRow } from '../governance-repo.js';
import type { PgDb } from './open.js';
import { customers, teams, virtualKeys } from './schema.js';

const budgetFrom = (usd: number | null, period: string | null): { budget?: Budget } =>
  usd === null ? {} : { budget: { usd, period: (period ?? 'month') as Budget['period'] } };

// 23505 = unique_violation; the only unique index besides the primary key is the secret's hash.
const isDuplicateSecret = (err: unknown): boolean => {
  const e = err as { code?: string; constraint?: string; cause?: { code?: string; constraint?: string } };
  const pgErr = e.code ? e : e.cause;
  return pgErr?.code === '23505' && pgErr.constraint === 'virtual_keys_key_hash_idx';
};

export function createPgGovernanceRepository(db: PgDb, opts: { now?: () => number } = {}): GovernanceRepository {
  const now = opts.now ?? Date.now;
  return {
    async listKeys() {
      return (await db.select().from(virtualKeys).orderBy(virtualKeys.id)).map(keyFromRow);
    },
    async upsertKey(key) {
      const row = keyToRow(key);
      const { id: _id, createdAt: _created, ...changes } = row;
      try {
        await db.insert(virtualKeys).values(row).onConflictDoUpdate({ target: virtualKeys.id, set: changes });
      } catch (err) {
        if (isDuplicateSecret(err)) throw new Error(`virtual key ${key.id}: another key already uses the same secret`, { cause: err });
        throw err;
      }
    },
    async deleteKey(id) {
      return ((await db.delete(virtualKeys).where(eq(virtualKeys.id, id))).rowCount ?? 0) > 0;
    },

    async listTeams() {
      return (await db.select().from(teams).orderBy(teams.id)).map((r): TeamRecord => ({
        id: r.id,
        ...(r.customerId === null ? {} : { customer: r.customerId }),
        ...budgetFrom(r.budgetUsd, r.budgetPeriod),
        source: r.source as TeamRecord['source'],
      }));
    },
    async upsertTeam(team) {
      const t = now();
      const fields = { customerId: team.customer ?? null, budgetUsd: team.budget?.usd ?? null, budgetPeriod: team.budget?.period ?? null, source: team.source, updatedAt: t };
      await db.insert(teams).values({ id: team.id, createdAt: t, ...fields }).onConflictDoUpdate({ target: teams.id, set: fields });
    },
    async deleteTeam(id) {
      return ((await db.delete(teams).where(eq(teams.id, id))).rowCount ?? 0) > 0;
    },

    async listCustomers() {
      return (await db.select().from(customers).orderBy(customers.id)).map((r): CustomerRecord => ({
        id: r.id,
        ...budgetFrom(r.budgetUsd, r.budgetPeriod),
        source: r.source as CustomerRecord['source'],
      }));
    },
    async upsertCustomer(customer) {
      const t = now();
      const fields = { budgetUsd: customer.budget?.usd ?? null, budgetPeriod: customer.budget?.period ?? null, source: customer.source, updatedAt: t };
      await db.insert(customers).values({ id: customer.id, createdAt: t, ...fields }).onConflictDoUpdate({ target: customers.id, set: fields });
    },
    async deleteCustomer(id) {
      return ((await db.delete(customers).where(eq(customers.id, id))).rowCount ?? 0) > 0;
    },
  };
}
