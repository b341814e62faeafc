// Request ids, which the ledger stores as requests' primary key and llm_calls' and tool_calls'
// request_id (all three indexed). A random UUID (v4) lands each row on a random page of those
// indexes, so every batch dirties about one page per row per index and its COMMIT writes them all
// to the WAL: on a 300k-row ledger the writer thread took ~50 µs of CPU per chat request, ~19 µs
// with time-ordered ids, and the gap grows with the ledger (bench/README.md "Ledger writer CPU").
// A UUIDv7 (RFC 9562) starts with the time in ms, so new rows append to the indexes' last pages.
import { uuidV7 } from './uuid.js';

/** A UUIDv7: 48 bits of Unix time in ms, the version, then 74 random bits (uuid.ts). */
export function newRequestId(now: number = Date.now()): string {
  return uuidV7(now);
}
