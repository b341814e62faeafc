// The governance tables (SQLite): `virtual_keys`, `teams` and `customers`, loaded from the config
// file and written by the admin API. Separate from the ledger tables: they are configuration, not
// records of traffic.
import { integer, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

export const virtualKeys = sqliteTable(
  'virtual_keys',
  {
    id: text('id').primaryKey(),
    name: text('name'),
    keyHash: text('key_hash').notNull(),
    teamId: text('team_id'),
    /** JSON: { models, tools, budget, rateLimit, toolLimits, loop } — policy evolves without migrations. */
    config: text('config').notNull(),
    disabled: integer('disabled').notNull().default(0),
    expiresAt: integer('expires_at'),
    /** 'config' | 'api' */
    source: text('source').notNull(),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [uniqueIndex('virtual_keys_key_hash_idx').on(t.keyHash)],
);

export const teams = sqliteTable('teams', {
  id: text('id').primaryKey(),
  customerId: text('customer_id'),
  budgetUsd: real('budget_usd'),
  budgetPeriod: text('budget_period'),
  source: text('source').notNull(),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
});

export const customers = sqliteTable('customers', {
  id: text('id').primaryKey(),
  budgetUsd: real('budget_usd'),
  budgetPeriod: text('budget_period'),
  source: text('source').notNull(),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
});
