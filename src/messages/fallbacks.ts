// `fallbacks` on /v1/messages, as on chat: Tollgate's own extension field (never sent upstream), a
// list of `provider/model` names tried in order after the model, with the same retry rules, resolved
// and checked up front by chat's resolveTargets. A Messages request runs one of two ways (passed
// through, or translated through chat), so the targets are cut into consecutive groups of one way
// each: within a group the loop's own retries and fallbacks apply (src/chat/attempts.ts
// withAttempts); when a whole group fails with an upstream error, the next group runs the request
// its own way.
import type { Target } from '../chat/targets.js';
import { GatewayError } from '../errors.js';

/** Consecutive targets that take the request the same way (pass-through or translation). */
export function pathGroups(targets: readonly Target[]): Target[][] {
  const groups: Target[][] = [];
  for (const target of targets) {
    const last = groups.at(-1);
    if (last && last[0]!.apis.has('messages') === target.apis.has('messages')) last.push(target);
    else groups.push([target]);
  }
  return groups;
}

/**
 * Whether a failed group hands over to the next: an upstream failure does (as one target hands over
 * to the next in withAttempts); the caller's own mistakes, a client gone, budgets and limits do not.
 */
export function fallsThrough(err: unknown): boolean {
  return err instanceof GatewayError && (err.type === 'upstream_error' || err.type === 'upstream_timeout');
}
