// Prompt gets and resource reads at /mcp are recorded like tool calls: one tool_calls row each
// (kind 'prompt' or 'resource'), with the key, the session, the decision, the outcome and the
// latency, refusals included.
import { createHash } from 'node:crypto';
import type { Access, LedgerSink } from '../../src/chat/ports.js';
import { ledgerName, type ToolCallStatus } from '../../src/ledger/rows.js';

export interface OfferUse {
  kind: 'prompt' | 'resource';
  access: Access;
  sessionId: string | null;
  /** Gateway name or URI. */
  name: string;
  /** Server and its own name or URI; unknown items record the gateway form. */
  server: string;
  item: string;
  /** Prompt arguments (hashed, as tool arguments are). */
  args?: unknown;
  status: ToolCallStatus;
  reason?: string | null | undefined;
  error?: string | null | undefined;
  latencyMs: number;
}

export async function recordOfferUse(ledger: LedgerSink, use: OfferUse): Promise<void> {
  const denied = use.status === 'denied';
  await ledger.toolCall({
    requestId: null,
    sessionId: use.sessionId,
    ts: Date.now(),
    keyId: use.access.keyId,
    teamId: use.access.teamId,
    customerId: use.access.customerId,
    round: null,
    server: ledgerName(use.server),
    tool: ledgerName(use.item),
    name: ledgerName(use.name),
    argsHash: use.args === undefined ? null : createHash('sha256').update(JSON.stringify(use.args)).digest('hex'),
    status: use.status,
    decision: denied ? 'denied' : 'allowed',
    reason: use.reason ?? null,
    latencyMs: use.latencyMs,
    costUsd: 0,
    error: use.error ? use.error.slice(0, 1000) : null,
    kind: use.kind,
  });
}
