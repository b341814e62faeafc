// Pin records: what the gateway approved for each MCP tool, and what the server lists now when
// that differs. Persisted by a PinStore (SQLite table `tool_pins`); decisions are made in memory.
import type { InjectionFlag } from './injection-scan.js';

export type { InjectionFlag } from './injection-scan.js';

/** Per server, from config: strict (default) withholds unapproved tools, warn offers them flagged, off skips pinning. */
export type PinMode = 'strict' | 'warn' | 'off';

/**
 * approved: `hash` is what the server lists. pending_new: never approved (a new tool on a known
 * server, or flagged at first sight). pending_changed: the server now lists a definition other than
 * the approved one. blocked: an admin refused the pending definition; held in every mode but off.
 */
export type PinStatus = 'approved' | 'pending_new' | 'pending_changed' | 'blocked';

export interface PinRecord {
  server: string;
  /** The tool's name on its MCP server. */
  tool: string;
  /** sha256 of the approved canonical definition; null until first approved. */
  hash: string | null;
  /** The approved canonical definition (JSON). */
  definition: string | null;
  status: PinStatus;
  /** Injection markers in the definition the server lists now. */
  flags: InjectionFlag[];
  /** The listed definition awaiting review (pending_* and blocked). */
  pendingHash: string | null;
  pendingDefinition: string | null;
  firstSeen: number;
  updated: number;
  approvedBy: string | null;
  approvedAt: number | null;
  blockedBy: string | null;
  blockedAt: number | null;
}

/** Persistence for pins; async so a networked database can implement it too. */
export interface PinStore {
  load(): Promise<PinRecord[]>;
  save(record: PinRecord): Promise<void>;
}

/** Reason codes a quarantined tool's calls are denied with (recorded in tool_calls.reason). */
export type QuarantineReason = 'tool_drifted' | 'tool_pending_approval';

export const pinKey = (server: string, tool: string): string => `${server}\u0000${tool}`;

/** An in-memory PinStore (tests, and `TOLLGATE_DB=:memory:`-style setups). */
export function memoryPinStore(initial: PinRecord[] = []): PinStore & { records: Map<string, PinRecord> } {
  const records = new Map(initial.map((r) => [pinKey(r.server, r.tool), r]));
  return {
    records,
    load: async () => [...records.values()],
    save: async (r) => void records.set(pinKey(r.server, r.tool), r),
  };
}
