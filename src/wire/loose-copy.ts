// What the hand checks in front of zod (src/openai/fast-chat-request.ts and the Messages and
// Responses fast-request.ts) share: telling a JSON object from the rest, and copying a loose
// object's undeclared keys the way zod's looseObject output carries them (as sent, after the
// declared ones). Each check returns exactly what its schema would, or undefined to ask it.
export type Obj = Record<string, unknown>;

/** A JSON object (not null, not an array). */
export const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A JSON object as JSON.parse makes them (Object.prototype): anything else is left to the schema. */
export const isPlain = (v: unknown): v is Obj => isObject(v) && Object.getPrototypeOf(v) === Object.prototype;

export const hasOwn = (o: Obj, key: string): boolean => Object.hasOwn(o, key);

/** Copies the keys not in `known`; false for a `__proto__` key (left to the schema, which drops it). */
export function copyUnknown(o: Obj, known: ReadonlySet<string>, out: Obj): boolean {
  for (const key in o) {
    if (known.has(key)) continue;
    if (key === '__proto__') return false;
    out[key] = o[key];
  }
  return true;
}
