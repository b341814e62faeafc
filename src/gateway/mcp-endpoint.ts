// Builds /mcp, Tollgate as an MCP server: the same key, tool list and governed tool call as the
// chat loop, with its session limits and origin rules read from config.mcpEndpoint. Separate from
// gateway.ts because mapping that config block onto the endpoint's options is long and self-contained.
import { type Config, DEFAULT_MCP_SESSIONS_PER_TEAM } from '../config-schema.js';
import type { Logger } from '../logger.js';
import type { ChatDeps } from '../chat/handler.js';
import type { LedgerSink } from '../chat/ports.js';
import type { GovernanceGate } from '../governance/gate.js';
import type { McpManager } from '../../mcp/manager.js';
import type { PinnedTools } from '../../mcp/pinning/index.js';
import { createMcpEndpoint, type EndpointFailure, isLoopbackAddress, type McpEndpoint } from '../../mcp/server/index.js';

export interface GatewayMcpEndpointOptions {
  config: Config;
  logger: Logger;
  gate: GovernanceGate;
  mcp: McpManager;
  /** The tools after pinning: what /mcp clients are offered and may call. */
  pins: PinnedTools;
  /** The request pipeline's deps: /mcp tool calls are priced, metered and timed the same way. */
  chat: ChatDeps;
  ledger: LedgerSink;
  now: () => number;
  /** The address the server listens on: on loopback, /mcp answers only loopback Host names. */
  listenHost?: string | undefined;
}

export function createGatewayMcpEndpoint(opts: GatewayMcpEndpointOptions): McpEndpoint {
  const { config, logger, gate, mcp, pins, chat, ledger: sink } = opts;
  const tools = chat.tools;
  const endpoint = config.mcpEndpoint;
  return createMcpEndpoint({
    gate,
    mcp: pins,
    offers: mcp.offers,
    governance: gate,
    toolsFor: (access) => gate.toolsFor(access, undefined, tools),
    keys: { refresh: (access) => gate.refresh(access), onChanged: (listener) => gate.onKeysChanged(listener) },
    toolCalls: { tools, pricing: chat.pricing, ledger: sink, metrics: chat.metrics, now: chat.now, payloads: config.ledger.payloads },
    ledger: sink,
    limits: {
      maxSessions: endpoint.maxSessions,
      maxSessionsPerKey: endpoint.maxSessionsPerKey,
      maxSessionsPerTeam: endpoint.maxSessionsPerTeam ?? Math.min(DEFAULT_MCP_SESSIONS_PER_TEAM, endpoint.maxSessions),
      idleTimeoutMs: endpoint.sessionIdleMs,
      maxLifetimeMs: endpoint.sessionMaxAgeMs,
      inputTimeoutMs: endpoint.inputTimeoutMs,
      maxPendingPerKey: endpoint.maxPendingPerKey,
      listTtlMs: endpoint.listTtlMs,
      maxSubscriptionsPerSession: endpoint.maxSubscriptionsPerSession,
      streamHighWaterMark: endpoint.streamHighWaterMark,
      streamMaxQueued: endpoint.streamMaxQueued,
    },
    origin: {
      allowedOrigins: endpoint.allowedOrigins,
      allowedHosts: endpoint.allowedHosts,
      loopback: isLoopbackAddress(opts.listenHost),
    },
    now: opts.now,
    onError: logEndpointFailure(logger),
    // Its client is told too (-32603); the log is for the operator: the gateway, not the tool, failed.
    onCallFailed: (err, keyId) => logger.error({ err: err.message, keyId }, 'mcp endpoint tool call failed inside the gateway'),
  });
}

/**
 * The endpoint's background failures, each logged as what it is (before, all as 'notification
 * failed', which sent an operator looking at notifications). At error: a prompt or resource use
 * whose ledger row is lost (an audit gap), and a listener throwing on a key's event bus (a bug).
 * At warn: what a client or an upstream may cause and the gateway lives with.
 */
export function logEndpointFailure(logger: Logger): (err: Error, failure: EndpointFailure) => void {
  return (err, failure) => {
    switch (failure.kind) {
      case 'notification':
        return logger.warn({ err: err.message }, 'mcp endpoint notification failed');
      case 'offer_use_record':
        return logger.error({ err: err.message, keyId: failure.keyId }, 'mcp endpoint could not record a prompt or resource use');
      case 'unsubscribe':
        return logger.warn(
          { err: err.message, uri: failure.uri },
          "mcp endpoint could not unsubscribe upstream from a closed session's resource",
        );
      case 'event_bus':
        return logger.error({ err: err.message }, 'mcp endpoint event bus listener failed');
      case 'sdk':
        return logger.warn({ err: err.message }, 'mcp endpoint: the MCP SDK reported an error or rejected a request');
    }
  };
}
