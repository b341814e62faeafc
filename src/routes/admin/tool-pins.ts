// /tool-pins: MCP tool-definition pins and drifts awaiting review (mcp/pinning).
//   GET  /tool-pins[?status=pending|approved|pending_new|pending_changed|blocked]
//   GET  /tool-pins/:server/:tool
//   POST /tool-pins/:server/:tool/approve   body (optional): { "hash": pendingHash, "by": "alice" }
//   POST /tool-pins/:server/:tool/block     same body
// `hash` makes the review apply only to the definition the admin looked at (409 if it changed since).
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { GatewayError, invalidRequest, notFound } from '../../errors.js';
import type { PinnedTools, ReviewResult } from '../../../mcp/pinning/index.js';
import { validate } from './validate.js';

const reviewSchema = z.strictObject({
  hash: z
    .string()
    .regex(/^[0-9a-f]{64}$/, 'a sha256 hex digest')
    .optional(),
  by: z.string().min(1).max(200).optional(),
});

const STATUS_FILTERS = ['pending', 'approved', 'pending_new', 'pending_changed', 'blocked'] as const;

export type ToolPinReviews = Pick<PinnedTools, 'list' | 'get' | 'approve' | 'block'>;

/** The review outcome as an HTTP answer; shared with the dashboard's forms. */
export function reviewOutcome(result: ReviewResult, server: string, tool: string) {
  if (result === 'not_found') return notFound(`no pin for tool "${tool}" on MCP server "${server}"`);
  if (result === 'nothing_pending')
    return new GatewayError({
      status: 409,
      type: 'invalid_request_error',
      code: 'nothing_pending',
      message: `tool "${tool}" on "${server}" has no definition awaiting review`,
    });
  if (result === 'hash_mismatch')
    return new GatewayError({
      status: 409,
      type: 'invalid_request_error',
      code: 'hash_mismatch',
      message: `the definition of "${tool}" on "${server}" changed since you looked: review it again`,
    });
  return result;
}

/** The body is optional: an empty one approves (or blocks) whatever is pending. */
async function reviewBody(c: Context) {
  const text = await c.req.text();
  if (text.trim() === '') return {};
  try {
    return validate(reviewSchema, JSON.parse(text));
  } catch (err) {
    if (err instanceof GatewayError) throw err;
    throw invalidRequest(`malformed JSON body: ${(err as Error).message}`);
  }
}

export function toolPinRoutes(pins: ToolPinReviews): Hono {
  const app = new Hono();
  app.get('/', (c) => {
    const status = c.req.query('status');
    if (status !== undefined && !(STATUS_FILTERS as readonly string[]).includes(status))
      throw invalidRequest(`status must be one of ${STATUS_FILTERS.join(', ')}`, 'status');
    const all = pins.list();
    const data =
      status === undefined
        ? all
        : all.filter((p) => (status === 'pending' ? p.status === 'pending_new' || p.status === 'pending_changed' : p.status === status));
    return c.json({
      object: 'list',
      data,
      pending: all.filter((p) => p.status === 'pending_new' || p.status === 'pending_changed').length,
    });
  });
  app.get('/:server/:tool', (c) => {
    const { server, tool } = c.req.param();
    const view = pins.get(server, tool);
    if (!view) throw notFound(`no pin for tool "${tool}" on MCP server "${server}"`);
    return c.json(view);
  });
  for (const action of ['approve', 'block'] as const) {
    app.post(`/:server/:tool/${action}`, async (c) => {
      const { server, tool } = c.req.param();
      const body = await reviewBody(c);
      const outcome = reviewOutcome(await pins[action](server, tool, body.by ?? 'admin-api', body.hash), server, tool);
      if (outcome instanceof GatewayError) throw outcome;
      return c.json(outcome);
    });
  }
  return app;
}
