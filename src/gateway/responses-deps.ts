// Builds the Responses surface's deps: the chat pipeline's, plus stored responses and MCP
// approvals from the same database (SQLite or PostgreSQL: the store picks both, src/store/). Separate
// from gateway.ts because the surface's own settings belong together.
import type { Config } from '../config-schema.js';
import type { Logger } from '../logger.js';
import type { ChatDeps } from '../chat/handler.js';
import type { ResponsesDeps } from '../responses/handler.js';
import type { Store } from '../store/open-store.js';
import type { ContainerDeps } from '../governance/owned-containers.js';

/** Where the containers (and, on Chat Completions, the audio ids) each key was shown are recorded. */
export function containerDeps(dataStore: Store, logger: Logger, what = 'a container'): ContainerDeps {
  return {
    owners: dataStore.responses,
    onError: (err) => logger.warn({ err: err.message }, `${what} shown to a key could not be recorded (the key cannot name it)`),
  };
}

export function createResponsesDeps(opts: { config: Config; logger: Logger; chat: ChatDeps; dataStore: Store }): ResponsesDeps {
  const { config, logger, chat, dataStore } = opts;
  return {
    ...chat,
    responses: dataStore.responses,
    onStoreError: (err) => logger.warn({ err: err.message }, 'a Responses response could not be stored'),
    containers: containerDeps(dataStore, logger),
    mcpServers: new Set(Object.keys(config.mcpServers)),
    operatorApproval: (access) => (name) => access.needsApproval(name),
    approvals: dataStore.approvals,
    approvalTtlMs: 60 * 60 * 1000,
  };
}
