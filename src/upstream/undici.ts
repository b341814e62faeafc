// The parts of undici the upstream client uses: its Agent, its error classes, parseHeaders and the
// request API on every dispatcher. undici's main entry also loads fetch, WebSocket, the cache
// interceptors, the mock agents and their stores (110 modules, 4.6 MB of live heap after a full
// GC); these 31 take 1.6 MB, and the gateway's RSS under load follows its live heap
// (bench/README.md, "Memory settings in npm start"). The modules are the ones undici's own entry
// loads, from the same files, so classes and `instanceof` are shared with any code (tests) that
// imports 'undici' itself.
import { createRequire } from 'node:module';
import type * as Undici from 'undici';

const require = createRequire(import.meta.url);

// What undici's index.js does before exporting: the request/stream/pipeline/upgrade/connect API
// on Dispatcher.prototype (client.ts calls dispatcher.request). Assigning it again is harmless.
Object.assign(
  (require('undici/lib/dispatcher/dispatcher.js') as { prototype: object }).prototype,
  require('undici/lib/api/index.js') as object,
);

export const Agent = require('undici/lib/dispatcher/agent.js') as typeof Undici.Agent;
export const errors = require('undici/lib/core/errors.js') as typeof Undici.errors;
export const util = require('undici/lib/core/util.js') as typeof Undici.util;
/** undici's top-level request(url), loaded with the whole entry on first use (client.ts: only for URLs its dispatcher does not take). */
export const request: typeof Undici.request = async (...args) => (await import('undici')).request(...args);
