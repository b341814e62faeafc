// The PostgreSQL PinStore: the same rows and mapping as store-sqlite.ts (SQLite), so pins
// survive restarts and every replica starts from the pins any of them recorded. Loaded once at
// startup, written through on change; never read on the request path.
import type { PinStore } from './types.js';
import { pinFromRow, pinToRow } from './store-sqlite.js';
import type { PgDb } from '../../src/db/pg/open.js';
import { toolPins } from '../../src/db/pg/schema.js';

export function createPgToolPinStore(db: PgDb): PinStore {
  return {
    load: async () => (await db.select().from(toolPins)).map(pinFromRow),
    async save(pin) {
      const row = pinToRow(pin);
      // first_seen is kept from the first insert, as on SQLite.
      const { server: _s, tool: _t, firstSeen: _f, ...changes } = row;
      await db
        .insert(toolPins)
        .values(row)
        .onConflictDoUpdate({ target: [toolPins.server, toolPins.tool], set: changes });
    },
  };
}
