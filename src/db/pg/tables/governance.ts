// The PostgreSQL governance tables, `virtual_keys`, `teams` and `customers`: the twins of
// src/db/tables/governance.ts (configuration shared by replicas, not records of traffic).
import { doublePrecision, integer, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { epochMs } from './columns.js';

export const virtualKeys = pgTable(
  'virtual_keys',
  {
    id: text('id').primaryKey(),
    name: text('name'),
    keyHash: text('key_hash').notNull(),
    teamId: text('team_id'),
    config: text('config').notNull(),
    disabled: integer('disabled').notNull().default(0),
    expiresAt: epochMs('expires_at'),
    source: text('source').notNull(),
    createdAt: epochMs('created_at').notNull(),
    updatedAt: epochMs('updated_at').notNull(),
  },
  (t) => [uniqueIndex('virtual_keys_key_hash_idx').on(t.keyHash)],
);

export const teams = pgTable('teams', {
  id: text('id').primaryKey(),
  customerId: text('customer_id'),
  budgetUsd: doublePrecision('budget_usd'),
  budgetPeriod: text('budget_period'),
  source: text('source').notNull(),
  createdAt: epochMs('created_at').notNull(),
  updatedAt: epochMs('updated_at').notNull(),
});

export const customers = pgTable('customers', {
  id: text('id').primaryKey(),
  budgetUsd: doublePrecision('budget_usd'),
  budgetPeriod: text('budget_period'),
  source: text('source').notNull(),
  createdAt: epochMs('created_at').notNull(),
  updatedAt: epochMs('updated_at').notNull(),
});
