// Rows the database refuses as data errors (a constraint, a value it cannot store): found row by
// row when a batch fails so, the others written, the refused ones set aside in
// ledger_dead_letters with the error and each reported. If even that insert is refused, the row's
// JSON is reported (logged): the log is then the last place it is kept (issue 15).
import type { LedgerItem } from './rows.js';
import type { DeadLetter } from './statements.js';
import { LedgerWriteError, type WriteBackoff } from './write-backoff.js';
import { isDataError } from './write-errors.js';

/** The part of a ledger back end dead letters need (writer.ts's LedgerBackend). */
export interface DeadLetterBackend {
  write(item: LedgerItem): void | Promise<void>;
  writeDeadLetters(letters: readonly DeadLetter[]): void | Promise<void>;
}

export const describeItem = (item: LedgerItem) => `${item.table} row${'id' in item.row ? ` ${item.row.id}` : ''}`;

export class DeadLetters {
  /** Refused rows waiting to be stored in ledger_dead_letters. */
  pending: DeadLetter[] = [];

  constructor(
    private readonly backend: DeadLetterBackend,
    private readonly backoff: WriteBackoff,
    private readonly now: () => number,
    private readonly onError: (err: Error) => void,
  ) {}

  /** Writes items one by one; refused ones are set aside. Returns how many were dealt with. */
  async isolate(items: readonly LedgerItem[]): Promise<number> {
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!;
      try {
        const pending = this.backend.write(item);
        if (pending) await pending;
      } catch (err) {
        if (!isDataError(err)) {
          this.backoff.failed(err, items.length - i);
          return i;
        }
        const error = (err as Error).message;
        this.pending.push({ ts: this.now(), item, error });
        this.onError(
          new LedgerWriteError(`ledger: the database refused a ${describeItem(item)}; set aside in ledger_dead_letters: ${error}`),
        );
      }
    }
    this.backoff.succeeded();
    return items.length;
  }

  /** Stores the refused rows; false when that failed transiently (they are kept for the next try). */
  async write(): Promise<boolean> {
    const letters = this.pending;
    try {
      const pending = this.backend.writeDeadLetters(letters);
      if (pending) await pending;
    } catch (err) {
      if (!isDataError(err)) {
        this.backoff.failed(err, letters.length);
        return false;
      }
      for (const d of letters)
        this.onError(
          new LedgerWriteError(`ledger: could not set aside a ${describeItem(d.item)} (${d.error}): ${JSON.stringify(d.item.row)}`),
        );
    }
    this.pending = [];
    return true;
  }
}
