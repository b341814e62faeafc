// Open-ended JSON objects the gateway passes on without reading: a tool's JSON schema (chat
// `parameters`, Responses `parameters`, `text.format.schema`), Responses `metadata`. z.record(z.string(), z.unknown())
// accepts any such object, and copies it key by key on the way: a body within maxBodyBytes can hold
// a schema of 400,000 keys, and that copy kept the event loop busy ~1.5× as long as JSON.parse of
// the whole body (tests/isolation/wide-bodies.test.ts). This schema gives the same answer without
// the walk: the same accept/reject and error wording, and an output equal to zod's (the object
// itself; zod's copy differs only in dropping an own `__proto__` key, which is done here too).
import { z } from 'zod';

const record = z.record(z.string(), z.unknown());

export const jsonObject = z.unknown().transform((v, ctx): Record<string, unknown> => {
  // Anything JSON.parse cannot make (another prototype, symbols, getters) is zod's to decide.
  if (typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype) {
    const o = v as Record<string, unknown>;
    return Object.hasOwn(o, '__proto__') ? withoutProto(o) : o;
  }
  const result = record.safeParse(v);
  if (result.success) return result.data;
  for (const issue of result.error.issues) ctx.issues.push(Object.assign({}, issue, { input: v }) as never);
  return z.NEVER;
});

const stringRecord = z.record(z.string(), z.string());
const string = z.string();

/** z.record(z.string(), z.string()) in one plain loop: zod made an issue per bad value (400,000 of them). */
export const stringRecordLike = z.unknown().transform((v, ctx): Record<string, string> => {
  if (typeof v !== 'object' || v === null || Array.isArray(v) || Object.getPrototypeOf(v) !== Object.prototype) {
    const result = stringRecord.safeParse(v);
    if (result.success) return result.data;
    for (const issue of result.error.issues) ctx.issues.push(Object.assign({}, issue, { input: v }) as never);
    return z.NEVER;
  }
  const o = v as Record<string, unknown>;
  for (const key in o) {
    if (typeof o[key] === 'string' || key === '__proto__') continue;
    // The first bad value's issue, as zod words it: the error names the first issue of the deepest path.
    const issue = string.safeParse(o[key]).error!.issues[0]!;
    ctx.issues.push(Object.assign({}, issue, { path: [key], input: o[key] }) as never);
    return z.NEVER;
  }
  return (Object.hasOwn(o, '__proto__') ? withoutProto(o) : o) as Record<string, string>;
});

/** zod's record skips an own `__proto__` key (assigning it would set the copy's prototype). */
function withoutProto(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key in o) if (key !== '__proto__') out[key] = o[key];
  return out;
}
