// What the /mcp server side needs from the rest of the gateway, as small interfaces: the governed
// tools (after pinning), the MCP manager's prompts and resources, the key's decisions about them,
// the governed tool call, and the ledger. gateway.ts wires the real ones in.
import type { CompleteRequest, CompleteResult, GetPromptResult, ReadResourceResult, RequestStateCodec } from '@modelcontextprotocol/server';
import type { Access, LedgerSink, ToolEntry, ToolRuntime } from '../../src/chat/ports.js';
import type { ToolCallDeps } from '../../src/chat/tool-call.js';
import type { OfferDecision, OfferKind } from '../../src/governance/offer-policy.js';
import type { Caller } from '../call-context.js';
import type { OfferChange, UpstreamOutcome } from '../manager.js';
import type { McpPromptEntry, McpResourceEntry, McpTemplateEntry } from '../offer-catalog.js';
import type { PendingCalls } from './pending-calls.js';

/** The tools /mcp serves: the pinned tool runtime, plus its change signal. */
export interface EndpointTools extends ToolRuntime {
  onToolsChanged(listener: (version: number) => void): () => void;
}

/** Prompts, resources and templates of the upstream servers (the MCP manager). */
export interface EndpointOffers {
  prompts(): readonly McpPromptEntry[];
  getPrompt(name: string): McpPromptEntry | undefined;
  resources(): readonly McpResourceEntry[];
  resourceTemplates(): readonly McpTemplateEntry[];
  resolveUri(gatewayUri: string): { server: string; uri: string } | undefined;
  onOfferChanged(listener: (change: OfferChange) => void): () => void;
  onResourceUpdated(listener: (gatewayUri: string) => void): () => void;
  // `caller`: the key and its team, whose turn the request takes at a server with maxCallsInFlight.
  getPromptResult(
    name: string,
    args: Record<string, string> | undefined,
    signal?: AbortSignal,
    caller?: Caller,
  ): Promise<UpstreamOutcome<GetPromptResult>>;
  readResource(gatewayUri: string, signal?: AbortSignal, caller?: Caller): Promise<UpstreamOutcome<ReadResourceResult>>;
  complete(params: CompleteRequest['params'], signal?: AbortSignal, caller?: Caller): Promise<UpstreamOutcome<CompleteResult> | undefined>;
  subscribe(gatewayUri: string): Promise<boolean>;
  unsubscribe(gatewayUri: string): Promise<void>;
}

/** The key's decisions about prompts (gateway names) and resources (gateway URIs). */
export interface OfferGovernance {
  decideOffer(access: Access, kind: OfferKind, name: string): OfferDecision;
  allowedOffers<T extends object>(access: Access, kind: OfferKind, list: readonly T[], nameOf: (item: T) => string): readonly T[];
}

/**
 * What failed in the background: a list-changed or resource-updated notification to a session;
 * the ledger row of a prompt or resource use (the use happened, its row is lost); the upstream
 * unsubscribe of a closed session's resource; a listener on a 2026-07-28 key's event bus; the
 * SDK's 2026-07-28 handler (its out-of-band errors and the requests it rejects).
 */
export type EndpointFailure =
  | { kind: 'notification' }
  | { kind: 'offer_use_record'; keyId: string | null }
  | { kind: 'unsubscribe'; uri: string }
  | { kind: 'event_bus' }
  | { kind: 'sdk' };

/** Keys as they change after admission (GovernanceGate.refresh, onKeysChanged). */
export interface EndpointKeys {
  /** The Access of `access`'s key now; throws when the key was deleted, disabled or expired. */
  refresh(access: Access): Access;
  onChanged(listener: () => void): () => void;
}

export interface EndpointDeps {
  /** What a 2025 session does when its key changes: list_changed when narrowed, closed when revoked. */
  keys?: EndpointKeys;
  /** The key's tools (GovernanceGate.toolsFor, without a narrowing header). */
  toolsFor(access: Access): readonly ToolEntry[];
  mcp: EndpointTools;
  offers: EndpointOffers;
  governance: OfferGovernance;
  toolCalls: ToolCallDeps;
  ledger: LedgerSink;
  /** Tool calls waiting for their client's answers (elicitation, sampling). */
  pending: PendingCalls;
  stateCodec: RequestStateCodec<{ call: string }>;
  serverInfo: { name: string; version: string };
  /** The ttlMs hint on list results of 2026-07-28 requests. */
  listTtlMs: number;
  /** Resource subscriptions one session may hold. */
  maxSubscriptionsPerSession: number;
  /** A background failure nobody waits for; `failure` says which, so the operator's log can name it. */
  onError?: (err: Error, failure: EndpointFailure) => void;
  /** A tools/call failed inside the gateway (governance store away, a bug), not in the tool: PendingCalls. */
  onCallFailed?: (err: Error, keyId: string | null) => void;
}
