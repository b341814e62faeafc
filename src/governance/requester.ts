// Refusals that happen before a request has its Access (a rate limit at admission, a blocked key)
// still know who asked: the error carries the key, team and customer so the ledger row names them.
import { GatewayError, type Requester } from '../errors.js';
import type { KeyContext } from './types.js';

export function requesterOf(ctx: KeyContext): Requester {
  return { keyId: ctx.key?.id ?? null, teamId: ctx.team?.id ?? null, customerId: ctx.customer?.id ?? null };
}

/** Tags a GatewayError with who it refused (keeps an earlier tag); anything else passes through. */
export function withRequester<E>(err: E, ctx: KeyContext): E {
  if (err instanceof GatewayError) err.requester ??= requesterOf(ctx);
  return err;
}

/** A disabled or expired key: 403, naming who it refused. */
export function refuseBlocked(ctx: KeyContext, now: number): void {
  const key = ctx.key!;
  const blocked = key.disabled
    ? `virtual key ${key.id} is disabled`
    : key.expiresAt != null && key.expiresAt <= now
      ? `virtual key ${key.id} expired at ${new Date(key.expiresAt).toISOString()}`
      : undefined;
  if (blocked) throw withRequester(new GatewayError({ status: 403, type: 'virtual_key_blocked', message: blocked }), ctx);
}
