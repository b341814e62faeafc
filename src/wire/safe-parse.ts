// zod collects every issue of a body before it answers, and each level hands its list up with
// `issues.push(...list)`: past ~120,000 issues (a 2 MB chat body of 60,000 malformed tool calls in
// its history) that call overflows the stack, and the RangeError was answered 500 "Internal
// gateway error", a fault of the client's body reported as the gateway's. It is a 400.
import type { z } from 'zod';
import { invalidRequest } from '../errors.js';

export function safeParseBody<S extends z.ZodType>(schema: S, body: unknown): ReturnType<S['safeParse']> {
  try {
    return schema.safeParse(body) as ReturnType<S['safeParse']>;
  } catch (err) {
    if (err instanceof RangeError)
      throw invalidRequest('request body: too many invalid values to report them; check the body against the API reference');
    throw err;
  }
}
