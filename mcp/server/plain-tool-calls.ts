// The MCP server of a /mcp session, with its tools/call results checked without zod when they are
// plain. Why: the SDK server (2.4.0) wraps the tools/call handler (Server._wrapHandler) in a
// validation of the request (which its dispatch validates again before the handler sees it) and of
// the result, each a zod parse of the whole value: ~30 µs of a /mcp call in a profile under load
// (issue 20). For a 2025 session's call whose params are plain (a name, arguments, at most a
// progress token) and whose result is plain (text blocks and isError: what the upstream's own
// client already validated, or the gateway's refusal text), both parses are known to succeed and
// to give back the same value, keys in the same order, so the result is sent as it is.
//
// Anything else, and every call that throws, asks for input or carries request state, goes through
// the SDK's own wrapper: the handler's outcome is replayed into it, so its checks, errors and
// input_required handling are exactly the SDK's.
import { type JSONRPCRequest, Server, type ServerContext } from '@modelcontextprotocol/server';
import { isPlainObject } from '../plain-object.js';

/** The SDK's handler shape at this seam (Server._wrapHandler, protected). */
type Handler = Parameters<Server['_wrapHandler']>[1];
type Result = Awaited<ReturnType<Handler>>;
type Outcome = { ok: true; value: Result } | { ok: false; error: unknown };

const isId = (v: unknown) => typeof v === 'string' || Number.isSafeInteger(v);

/** tools/call params the SDK's request schema (2025-11-25) takes as they are: name, arguments, a progress token. */
export function plainCallParams(request: { params?: unknown }): boolean {
  const params = request.params;
  if (!isPlainObject(params) || typeof params.name !== 'string') return false;
  for (const key in params) {
    const value = params[key];
    if (key === 'name') continue;
    if (key === 'arguments' && (value === undefined || isPlainObject(value))) continue;
    if (key === '_meta' && (value === undefined || plainMeta(value))) continue;
    return false;
  }
  return true;
}

function plainMeta(meta: unknown): boolean {
  if (!isPlainObject(meta)) return false;
  for (const key in meta) if (key !== 'progressToken' || !isId(meta[key])) return false;
  return true;
}

/**
 * A CallToolResult the SDK's result schema (2025-11-25) parses into an equal value with its keys in
 * the same order: `content` (text blocks of exactly `type` then `text`) and then, optionally, a
 * boolean `isError`; nothing else.
 */
export function plainCallResult(result: unknown): boolean {
  if (!isPlainObject(result)) return false;
  let i = 0;
  for (const key in result) {
    if (i === 0 && key === 'content') {
      const content = result.content;
      if (!Array.isArray(content)) return false;
      for (const block of content) if (!textBlock(block)) return false;
    } else if (!(i === 1 && key === 'isError' && typeof result.isError === 'boolean')) return false;
    i++;
  }
  return i > 0;
}

function textBlock(block: unknown): boolean {
  if (!isPlainObject(block)) return false;
  let i = 0;
  for (const key in block) {
    if (i === 0 ? key !== 'type' || block.type !== 'text' : i !== 1 || key !== 'text' || typeof block.text !== 'string') return false;
    i++;
  }
  return i === 2;
}

export class SessionMcpServer extends Server {
  /**
   * Told of a tools/call that failed before its handler ran: the SDK refused its params (a name
   * that is not a string, arguments that are not an object). The ledger records it (tool-handlers.ts).
   */
  onRefusedCall?: (request: JSONRPCRequest, ctx: ServerContext, err: unknown) => void;

  protected override _wrapHandler(method: string, handler: Handler): Handler {
    if (method !== 'tools/call') return super._wrapHandler(method, handler);
    // The contexts the handler was reached with: an error for any other was the SDK's refusal.
    // (Plain params, below, are known to pass its checks: the handler is called directly.)
    const reached = new WeakSet<ServerContext>();
    const sdk = super._wrapHandler(method, (request: JSONRPCRequest, ctx: ServerContext) => {
      reached.add(ctx);
      return handler(request, ctx);
    });
    const checked: Handler = (request, ctx) =>
      sdk(request, ctx).catch((err: unknown) => {
        if (!reached.has(ctx)) this.onRefusedCall?.(request, ctx, err);
        throw err;
      });
    // The SDK's wrapper around a handler that first gives back what the real one already gave for
    // this ctx, and is the real one after that (the SDK's input_required shim for 2025 clients calls
    // the handler again with the client's answers).
    const outcomes = new WeakMap<ServerContext, Outcome>();
    const replay = super._wrapHandler(method, (request: JSONRPCRequest, ctx: ServerContext) => {
      const outcome = outcomes.get(ctx);
      if (!outcome) return handler(request, ctx);
      outcomes.delete(ctx);
      return outcome.ok ? Promise.resolve(outcome.value) : Promise.reject(outcome.error);
    });
    return async (request, ctx) => {
      if (this.servesModern() || !plainCallParams(request) || ctx.mcpReq.requestState() !== undefined) return checked(request, ctx);
      let outcome: Outcome;
      try {
        outcome = { ok: true, value: await handler(request, ctx) };
      } catch (error) {
        outcome = { ok: false, error };
      }
      if (outcome.ok && plainCallResult(outcome.value)) return outcome.value;
      outcomes.set(ctx, outcome);
      return replay(request, ctx);
    };
  }

  /**
   * Whether this server serves 2026-07-28 requests (the SDK's _servedModernEra, private in its
   * types); if an SDK has no such method, every call takes the SDK's own path.
   */
  private servesModern(): boolean {
    const served = (this as unknown as { _servedModernEra?: () => boolean })._servedModernEra;
    return typeof served !== 'function' || served.call(this);
  }
}
