// Keeping a response for later (previous_response_id, GET, DELETE): written before the client sees
// the end of it, so a follow-up sent the moment it arrives — to any replica — finds it. A database
// that fails the write does not fail the answer: the response goes out unstored and the operator
// is told (a follow-up naming it then gets "not found").
import type { StoredEntry } from '../stored-responses/response-store.js';
import type { ResponsesDeps } from './handler.js';

export async function keepResponse(deps: Pick<ResponsesDeps, 'responses' | 'onStoreError'>, entry: StoredEntry): Promise<void> {
  try {
    await deps.responses.put(entry);
  } catch (err) {
    deps.onStoreError?.(err as Error);
  }
}
