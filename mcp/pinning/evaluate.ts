// The pin state machine, as pure functions: what a discovery does to a tool's pin, whether the
// tool may be offered, and what approve/block do. PinnedTools applies them; tests drive them alone.
import type { CanonicalDefinition } from './canonical.js';
import type { InjectionFlag, PinMode, PinRecord, QuarantineReason } from './types.js';

export interface ObserveContext {
  server: string;
  tool: string;
  /** Whether the server had pins before this discovery: its first listing is trusted, later additions are not. */
  serverKnown: boolean;
  now: number;
  /** Scans the listed definition; only called when it is new to the pin. */
  scan(): InjectionFlag[];
}

/** The pin after seeing `seen` listed, or undefined when nothing changed. */
export function observe(pin: PinRecord | undefined, seen: CanonicalDefinition, ctx: ObserveContext): PinRecord | undefined {
  if (!pin) {
    const flags = ctx.scan();
    const base = { server: ctx.server, tool: ctx.tool, flags, firstSeen: ctx.now, updated: ctx.now, blockedBy: null, blockedAt: null };
    // Trust on first use, but only for a server's first listing and only when nothing looks injected.
    if (!ctx.serverKnown && flags.length === 0) {
      return {
        ...base,
        status: 'approved',
        hash: seen.hash,
        definition: seen.json,
        pendingHash: null,
        pendingDefinition: null,
        approvedBy: 'first-sight',
        approvedAt: ctx.now,
      };
    }
    return {
      ...base,
      status: 'pending_new',
      hash: null,
      definition: null,
      pendingHash: seen.hash,
      pendingDefinition: seen.json,
      approvedBy: null,
      approvedAt: null,
    };
  }
  if (pin.hash === seen.hash) {
    if (pin.status === 'approved') return undefined;
    // The server went back to the approved definition: nothing left to review.
    return {
      ...pin,
      status: 'approved',
      pendingHash: null,
      pendingDefinition: null,
      flags: ctx.scan(),
      updated: ctx.now,
      blockedBy: null,
      blockedAt: null,
    };
  }
  // Still the definition already pending (or blocked): the admin's decision stands.
  if (pin.pendingHash === seen.hash) return undefined;
  // Another new definition: whatever was decided about the previous one does not carry over.
  return {
    ...pin,
    status: pin.hash ? 'pending_changed' : 'pending_new',
    pendingHash: seen.hash,
    pendingDefinition: seen.json,
    flags: ctx.scan(),
    updated: ctx.now,
    blockedBy: null,
    blockedAt: null,
  };
}

export type Verdict = { kind: 'offer' } | { kind: 'flag' } | { kind: 'quarantine'; reason: QuarantineReason };

const OFFER: Verdict = { kind: 'offer' };
const FLAG: Verdict = { kind: 'flag' };
const DRIFTED: Verdict = { kind: 'quarantine', reason: 'tool_drifted' };
const PENDING: Verdict = { kind: 'quarantine', reason: 'tool_pending_approval' };

/** Whether a listed tool (its pin already updated by observe) may be offered under `mode`. */
export function verdictFor(pin: PinRecord | undefined, mode: PinMode): Verdict {
  if (mode === 'off' || !pin || pin.status === 'approved') return OFFER;
  const held = pin.hash ? DRIFTED : PENDING;
  // An explicit block is an admin's decision: it holds in warn mode too.
  if (pin.status === 'blocked' || mode === 'strict') return held;
  return FLAG;
}

export type ReviewError = 'nothing_pending' | 'hash_mismatch';

/** Re-pins the pending definition. `expectedHash` guards against approving a definition the admin did not see. */
export function approve(pin: PinRecord, by: string, now: number, expectedHash?: string): PinRecord | ReviewError {
  if (!pin.pendingHash || pin.pendingDefinition === null) return 'nothing_pending';
  if (expectedHash !== undefined && expectedHash !== pin.pendingHash) return 'hash_mismatch';
  return {
    ...pin,
    status: 'approved',
    hash: pin.pendingHash,
    definition: pin.pendingDefinition,
    pendingHash: null,
    pendingDefinition: null,
    approvedBy: by,
    approvedAt: now,
    blockedBy: null,
    blockedAt: null,
    updated: now,
  };
}

/** Keeps the pending definition out until the server lists another one (or the approved one again). */
export function block(pin: PinRecord, by: string, now: number, expectedHash?: string): PinRecord | ReviewError {
  if (!pin.pendingHash) return 'nothing_pending';
  if (expectedHash !== undefined && expectedHash !== pin.pendingHash) return 'hash_mismatch';
  return { ...pin, status: 'blocked', blockedBy: by, blockedAt: now, updated: now };
}
