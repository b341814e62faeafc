// Random UUIDs (the ledger's request ids, budget reservation ids) without the garbage: Node 20's
// crypto.randomUUID() formats each id by concatenating 20 hex pieces, ~600 B of intermediate
// strings per id (two ids per request: ~2% of a pass-through request's bytes, and bytes per
// request set how often the young generation is collected; bench/README.md, "Scavenges and p99").
// Here an id's 36 characters are written as ASCII into a scratch buffer and read out as one string
// (~60 B). The random bytes come from the same CSPRNG as randomUUID's (randomFillSync), drawn for
// 256 ids at a time as Node draws for 128; the scratch buffer is safe to share: each id is written
// and read out synchronously.
import { randomFillSync } from 'node:crypto';

const HEX = Buffer.from('0123456789abcdef', 'latin1');
const ID_BYTES = 16;
const POOL_BYTES = ID_BYTES * 256;
const pool = Buffer.alloc(POOL_BYTES);
let next = POOL_BYTES;
const text = Buffer.alloc(36);
/** Where the hex digits of byte i go (8-4-4-4-12, dashes between). */
const AT = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];
text[8] = text[13] = text[18] = text[23] = 0x2d;

/** The pool's offset of 16 fresh random bytes. */
function draw(): number {
  if (next === POOL_BYTES) {
    randomFillSync(pool);
    next = 0;
  }
  const at = next;
  next += ID_BYTES;
  return at;
}

function put(i: number, byte: number): void {
  const o = AT[i]!;
  text[o] = HEX[byte >> 4]!;
  text[o + 1] = HEX[byte & 15]!;
}

/** Bytes 6–15: the version nibble, then random bits with RFC 9562's variant (10xx) at byte 8. */
function putRandomTail(version: number, r: number): string {
  put(6, (version << 4) | (pool[r + 6]! & 0x0f));
  put(7, pool[r + 7]!);
  put(8, 0x80 | (pool[r + 8]! & 0x3f));
  for (let i = 9; i < ID_BYTES; i++) put(i, pool[r + i]!);
  return text.toString('latin1');
}

/** A random UUID (version 4), as crypto.randomUUID() returns: lowercase, 8-4-4-4-12. */
export function uuidV4(): string {
  const r = draw();
  for (let i = 0; i < 6; i++) put(i, pool[r + i]!);
  return putRandomTail(4, r);
}

/**
 * A UUIDv7 (RFC 9562): the 48-bit Unix time `ms` (an integer below 2^48) in its first 12 hex
 * digits, then the version and 74 random bits.
 */
export function uuidV7(ms: number): string {
  let t = ms;
  for (let i = 5; i >= 0; i--) {
    const byte = t % 256;
    put(i, byte);
    t = (t - byte) / 256;
  }
  return putRandomTail(7, draw());
}
