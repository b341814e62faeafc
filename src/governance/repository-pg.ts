// The GovernanceRepository on PostgreSQL: the same records and JSON policy column as the SQLite
// repository (repository-sqlite.ts), so keys created on one replica load on every other.
import { eq } from 'drizzle-orm';
import type { GovernanceRepository } from './types.js';
import { customerFields, customerFromRow, keyFromRow, keyToRow, teamFields, teamFromRow } from './repository-sqlite.js';
import type { PgDb } from '../db/pg/open.js';
import { customers, teams, virtualKeys } from '../db/pg/schema.js';

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
      return (await db.select().from(teams).orderBy(teams.id)).map(teamFromRow);
    },
    async upsertTeam(team) {
      const t = now();
      const fields = teamFields(team, t);
      await db
        .insert(teams)
        .values({ id: team.id, createdAt: t, ...fields })
        .onConflictDoUpdate({ target: teams.id, set: fields });
    },
    async deleteTeam(id) {
      return ((await db.delete(teams).where(eq(teams.id, id))).rowCount ?? 0) > 0;
    },

    async listCustomers() {
      return (await db.select().from(customers).orderBy(customers.id)).map(customerFromRow);
    },
    async upsertCustomer(customer) {
      const t = now();
      const fields = customerFields(customer, t);
      await db
        .insert(customers)
        .values({ id: customer.id, createdAt: t, ...fields })
        .onConflictDoUpdate({ target: customers.id, set: fields });
    },
    async deleteCustomer(id) {
      return ((await db.delete(customers).where(eq(customers.id, id))).rowCount ?? 0) > 0;
    },
  };
}
