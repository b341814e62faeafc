// Reads back what a gateway's ledger wrote, after the gateway stopped (SIGTERM flushes it): the
// ledger-on check for lost rows, and the proof that the ledger-off variant really had it off.
import Database from 'better-sqlite3';

export interface LedgerRows {
  requests: number | null;
  llmCalls: number | null;
  toolCalls: number | null;
  error?: string;
}

export function countLedgerRows(path: string): LedgerRows {
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    const count = (table: string): number | null => {
      try {
        return (db!.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
      } catch {
        return null;
      }
    };
    return { requests: count('requests'), llmCalls: count('llm_calls'), toolCalls: count('tool_calls') };
  } catch (err) {
    return { requests: null, llmCalls: null, toolCalls: null, error: (err as Error).message };
  } finally {
    db?.close();
  }
}
