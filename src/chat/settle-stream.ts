// How every streamed answer ends, on every surface (chat, Messages, Responses; pass-through or
// translated): the request is released and recorded in the ledger exactly once, whichever way the
// run ends, and a failure before the first byte still becomes an ordinary error answer.
import type { GatewayError } from '../errors.js';
import { asClientError } from './client-error.js';
import { recordRequest, type RecordDeps } from './record.js';
import type { LoopState } from './run-state.js';

export interface StreamEnd<T> {
  /** Writes the answer's last frames and ends the stream (sync where it can: no extra turn then). */
  done(result: T): Promise<void> | void;
  /** Writes the surface's error frames for a failure after the stream started, and ends it. */
  failed(error: GatewayError, err: unknown): void;
  /** Runs first on any failure, started or not (e.g. stops keep-alive pings). */
  stop?(): void;
}

/**
 * Settles a streamed run: on success `done`, then the request is recorded (200) and released; on
 * failure (of the run, or of `done`) it is released and, if nothing was sent yet, the failure is rethrown for the caller to
 * answer with its status; otherwise `failed` writes it into the stream and it is recorded with the
 * error. Resolves when the stream has started or the run has ended, whichever comes first.
 */
export async function settleStream<T>(
  deps: RecordDeps,
  state: LoopState,
  channel: { readonly isStarted: boolean; readonly started: Promise<unknown> },
  run: Promise<T>,
  end: StreamEnd<T>,
): Promise<void> {
  const ok = () => {
    recordRequest(deps, state, { status: 200, startedAt: state.startedAt });
    state.release();
  };
  const failed = (err: unknown) => {
    end.stop?.();
    state.release();
    if (!channel.isStarted) throw err;
    const error = asClientError(err, state);
    end.failed(error, err);
    recordRequest(deps, state, { status: error.status, startedAt: state.startedAt, error });
  };
  // `done` failing (e.g. the approval store refusing a Responses stream's last items) is the run's
  // failure too: once the stream has started, nothing else awaits `finished` (the race below has
  // settled), so its rejection would leave the client's stream open for good, unrecorded, unreleased.
  const finished = run.then((result) => {
    let after: Promise<void> | void;
    try {
      after = end.done(result);
    } catch (err) {
      return failed(err);
    }
    return after ? after.then(ok, failed) : ok();
  }, failed);
  await Promise.race([channel.started, finished]);
}
