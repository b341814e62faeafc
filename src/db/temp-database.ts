// A migrated database in a fresh temp folder, for tests (here and in other modules' tests).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrateDatabase, openDatabase, type OpenedDatabase } from './open.js';

export interface TempDatabase extends OpenedDatabase {
  dir: string;
  /** Closes the connection and deletes the folder. */
  cleanup(): void;
}

export function createTempDatabase(): TempDatabase {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-db-'));
  const opened = openDatabase(join(dir, 'ledger.db'));
  migrateDatabase(opened);
  return {
    ...opened,
    dir,
    cleanup: () => {
      opened.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
