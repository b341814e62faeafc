// The gateway's shutdown, in order: stop taking work (WebSocket connections, registry sync, /mcp
// sessions), stop MCP servers and save tool pins, give budget settles a bounded wait, then flush
// the ledger and close the database, the upstream pool and the Redis counters. Separate from
// gateway.ts because the order is the point: each step may still need what a later one closes.
import type { Logger } from '../logger.js';
import type { Store } from '../store/open-store.js';
import type { UpstreamClient } from '../upstream/client.js';
import type { Governance } from './open-governance.js';
import type { McpManager } from '../../mcp/manager.js';
import type { PinnedTools } from '../../mcp/pinning/index.js';
import type { McpEndpoint } from '../../mcp/server/index.js';

export interface ShutdownParts {
  logger: Logger;
  /** Closes the Responses WebSocket connections. */
  closeUpgrades: () => void;
  governance: Governance;
  mcpEndpoint: McpEndpoint;
  mcp: McpManager;
  pins: PinnedTools;
  dataStore: Store;
  upstream: UpstreamClient;
}

/** Flushes the ledger, stops MCP servers, closes the pool and the database (the caller has set draining). */
export async function closeGateway(parts: ShutdownParts): Promise<void> {
  const { logger, governance, dataStore } = parts;
  parts.closeUpgrades();
  await governance.sync?.stop();
  await parts.mcpEndpoint.close();
  await parts.mcp.stop();
  parts.pins.stop();
  await parts.pins.flush();
  // Settles and releases still retrying get a bounded wait; what is left is covered by leases.
  const unsettled = await governance.budgets.close(5000);
  if (unsettled > 0)
    logger.warn(`${unsettled} budget settles/releases did not land before shutdown; their reservations expire with their leases`);
  await dataStore.close();
  await parts.upstream.close();
  await governance.counters?.close();
}
