// An abortable sleep for retry backoff: a client that leaves stops the wait at once.
import { setTimeout as delay } from 'node:timers/promises';

export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return delay(ms, undefined, { signal });
}
