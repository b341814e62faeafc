// The `tool_pins` table (SQLite): approved MCP tool definitions and those awaiting review
// (mcp/pinning). Separate because it belongs to tool pinning alone.
import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * Tool-definition pins (mcp/pinning): per MCP server and tool, the approved definition's hash and
 * canonical JSON, plus the definition the server lists now when it differs and awaits review.
 */
export const toolPins = sqliteTable(
  'tool_pins',
  {
    server: text('server').notNull(),
    /** The tool's MCP name. */
    tool: text('tool').notNull(),
    /** sha256 hex of the approved canonical definition; NULL until first approved. */
    hash: text('hash'),
    /** The approved canonical definition (JSON: name, title, description, inputSchema, annotations). */
    definition: text('definition'),
    /** 'approved' | 'pending_new' | 'pending_changed' | 'blocked' */
    status: text('status').notNull(),
    /** JSON array of injection markers found in the listed definition: [{ code, field, excerpt }]. */
    flags: text('flags').notNull().default('[]'),
    /** The listed definition awaiting review. */
    pendingHash: text('pending_hash'),
    pendingDefinition: text('pending_definition'),
    firstSeen: integer('first_seen').notNull(),
    updated: integer('updated').notNull(),
    approvedBy: text('approved_by'),
    approvedAt: integer('approved_at'),
    blockedBy: text('blocked_by'),
    blockedAt: integer('blocked_at'),
  },
  (t) => [primaryKey({ columns: [t.server, t.tool] }), index('tool_pins_status_idx').on(t.status)],
);
