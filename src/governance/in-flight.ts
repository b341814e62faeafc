// Calls in flight per key and per team on this replica: the one counting the upstream calls
// (rate-limit.ts, startCall) and the MCP tool calls (startToolCall) share. Taken and given back
// synchronously, so concurrent calls of one key count each other whatever awaits come after.

/** Which bound refused a slot. */
export type SlotRefusal = 'key' | 'team';

/**
 * One fewer in flight for `id`. The entry stays at 0 rather than being deleted: a long-lived Map that
 * goes from one entry to none and back reallocates its hash table in the old space each time (bench/
 * README, "Old-space garbage of the budget bookkeeping"), which a sequential client would do per
 * call. Entries are one per key and team that ever called, as the registry's own.
 */
function release(counts: Map<string, number>, id: string): void {
  counts.set(id, Math.max(0, (counts.get(id) ?? 1) - 1));
}

export class InFlightSlots {
  private readonly keys = new Map<string, number>();
  private readonly teams = new Map<string, number>();

  /** `teamLimit` undefined: teams are not bounded beyond their keys. */
  constructor(private readonly teamLimit: number | undefined) {}

  /** Takes a slot of the key and one of its team, or neither (the bound that refused). */
  take(keyId: string, teamId: string | null, keyLimit: number): SlotRefusal | null {
    const n = this.keys.get(keyId) ?? 0;
    if (n >= keyLimit) return 'key';
    const t = teamId === null ? 0 : (this.teams.get(teamId) ?? 0);
    if (teamId !== null && this.teamLimit !== undefined && t >= this.teamLimit) return 'team';
    this.keys.set(keyId, n + 1);
    if (teamId !== null) this.teams.set(teamId, t + 1);
    return null;
  }

  give(keyId: string, teamId: string | null): void {
    release(this.keys, keyId);
    if (teamId !== null) release(this.teams, teamId);
  }
}
