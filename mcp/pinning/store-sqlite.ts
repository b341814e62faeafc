// The SQLite PinStore: tool_pins rows <-> PinRecords. Pins are loaded once at startup and written
// through on every change (discoveries and admin reviews), never read on the request path.
import type { PinRecord, PinStatus, PinStore } from './types.js';
import type { Db } from '../../src/db/open.js';
import { toolPins } from '../../src/db/schema.js';

type PinRow = typeof toolPins.$inferSelect;

const STATUSES: ReadonlySet<string> = new Set<PinStatus>(['approved', 'pending_new', 'pending_changed', 'blocked']);

export function pinFromRow(row: PinRow): PinRecord {
  // An unknown status (a newer version's, a hand edit) must fail closed: treat it as blocked.
  const status = STATUSES.has(row.status) ? (row.status as PinStatus) : 'blocked';
  let flags: PinRecord['flags'] = [];
  try {
    const parsed: unknown = JSON.parse(row.flags);
    if (Array.isArray(parsed)) flags = parsed as PinRecord['flags'];
  } catch {
    flags = [{ code: 'unreadable_flags', field: 'flags', excerpt: row.flags.slice(0, 80) }];
  }
  return { ...row, status, flags };
}

export function pinToRow(pin: PinRecord): PinRow {
  // The same fields as the row, but for flags (a JSON column).
  return { ...pin, flags: JSON.stringify(pin.flags) };
}

export function createToolPinStore(db: Db): PinStore {
  return {
    load: async () => db.select().from(toolPins).all().map(pinFromRow),
    async save(pin) {
      const row = pinToRow(pin);
      const { server: _s, tool: _t, firstSeen: _f, ...changes } = row;
      db.insert(toolPins)
        .values(row)
        .onConflictDoUpdate({ target: [toolPins.server, toolPins.tool], set: changes })
        .run();
    },
  };
}
