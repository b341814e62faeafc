// Body parsing and zod validation for the admin API: every failure is a 400 whose `param` names the field.
import type { Context } from 'hono';
import type { z } from 'zod';
import { invalidRequest } from '../../errors.js';

async function readJson(c: Context): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === '') throw invalidRequest('request body is empty: expected a JSON object');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw invalidRequest(`malformed JSON body: ${(err as Error).message}`);
  }
}

export function validate<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const path = issue.path.map(String);
  // For an unknown field the offending name is in `keys`, not in the path.
  if (issue.code === 'unrecognized_keys' && issue.keys[0] !== undefined) path.push(issue.keys[0]);
  const param = path.join('.');
  throw invalidRequest(param ? `${param}: ${issue.message}` : issue.message, param || null);
}

export async function readBody<T>(c: Context, schema: z.ZodType<T>): Promise<T> {
  return validate(schema, await readJson(c));
}
