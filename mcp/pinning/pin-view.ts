// A pin as the admin API and the dashboard show it: state, flags, and a readable diff of the
// approved definition against the one awaiting review.
import { diffDefinitions, type DefinitionDiff } from './diff.js';
import type { InjectionFlag, PinMode, PinRecord, PinStatus, QuarantineReason } from './types.js';

export interface PinView {
  server: string;
  tool: string;
  /** Gateway name while the server lists the tool; null otherwise. */
  name: string | null;
  mode: PinMode;
  status: PinStatus;
  /** Why calls are refused now; null when offered or not listed. */
  quarantined: QuarantineReason | null;
  /** Offered although unapproved (warn mode). */
  flagged: boolean;
  flags: InjectionFlag[];
  hash: string | null;
  pendingHash: string | null;
  definition: unknown;
  pendingDefinition: unknown;
  /** Approved vs pending; null when nothing is pending. */
  diff: DefinitionDiff | null;
  firstSeen: number;
  updated: number;
  approvedBy: string | null;
  approvedAt: number | null;
  blockedBy: string | null;
  blockedAt: number | null;
}

export function toPinView(
  pin: PinRecord,
  live: { mode: PinMode; name: string | null; quarantined: QuarantineReason | null; flagged: boolean },
): PinView {
  const parse = (json: string | null): unknown => (json === null ? null : JSON.parse(json));
  return {
    ...pin,
    ...live,
    // Stored as JSON text; shown as values, with the diff a reviewer reads.
    definition: parse(pin.definition),
    pendingDefinition: parse(pin.pendingDefinition),
    diff: pin.pendingDefinition === null ? null : diffDefinitions(pin.definition, pin.pendingDefinition),
  };
}
