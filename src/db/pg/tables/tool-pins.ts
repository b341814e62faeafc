// The PostgreSQL `tool_pins` table: the twin of src/db/tables/tool-pins.ts (mcp/pinning only).
import { index, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { epochMs } from './columns.js';

/** MCP tool pins (mcp/pinning): the twin of SQLite's tool_pins, read once at startup, written through on change. */
export const toolPins = pgTable(
  'tool_pins',
  {
    server: text('server').notNull(),
    tool: text('tool').notNull(),
    hash: text('hash'),
    definition: text('definition'),
    /** 'approved' | 'pending_new' | 'pending_changed' | 'blocked' */
    status: text('status').notNull(),
    /** JSON array of injection markers: [{ code, field, excerpt }]. */
    flags: text('flags').notNull().default('[]'),
    pendingHash: text('pending_hash'),
    pendingDefinition: text('pending_definition'),
    firstSeen: epochMs('first_seen').notNull(),
    updated: epochMs('updated').notNull(),
    approvedBy: text('approved_by'),
    approvedAt: epochMs('approved_at'),
    blockedBy: text('blocked_by'),
    blockedAt: epochMs('blocked_at'),
  },
  (t) => [primaryKey({ columns: [t.server, t.tool] }), index('tool_pins_status_idx').on(t.status)],
);
