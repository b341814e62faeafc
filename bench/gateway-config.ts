// The gateway under test in its production shape: governance on (virtual keys with budgets, team
// and customer budgets, rate limits — all set high enough never to trigger), a priced model so
// budget reservation and cost accounting run, the ledger on (payloads off), and one stdio MCP server.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { everythingServer } from '../tests/helpers/wire.js';
import { MCP_SERVER, MODEL, PROVIDER, VK_PLAIN, VK_TOOLS } from './constants.js';

const HUGE_BUDGET = { usd: 1_000_000_000, period: 'month' };
const HUGE_RATE = { requests: 1_000_000_000, tokens: 1_000_000_000_000, window: '1m' };

export function gatewayConfig(upstreamUrl: string): Record<string, unknown> {
  const key = (id: string, secret: string, allow: string[]) => ({
    id,
    key: secret,
    team: 'bench-team',
    models: [`${PROVIDER}/*`],
    tools: { allow, deny: [] },
    budget: HUGE_BUDGET,
    rateLimit: HUGE_RATE,
    loop: { maxRounds: 10, maxToolCalls: 50, maxCostUsd: 1_000, timeoutMs: 120_000 },
  });
  return {
    providers: {
      [PROVIDER]: { type: 'openai', baseUrl: `${upstreamUrl}/v1`, keys: [{ value: 'sk-bench' }], models: [MODEL], maxRetries: 2 },
    },
    mcpServers: { [MCP_SERVER]: everythingServer() },
    pricing: { [`${PROVIDER}/${MODEL}`]: { inputPerMTok: 0.15, outputPerMTok: 0.6 } },
    customers: [{ id: 'bench-customer', budget: HUGE_BUDGET }],
    teams: [{ id: 'bench-team', customer: 'bench-customer', budget: HUGE_BUDGET }],
    virtualKeys: [key('bench-plain', VK_PLAIN, []), key('bench-tools', VK_TOOLS, [`${MCP_SERVER}__echo`])],
    requireVirtualKey: true,
    ledger: { payloads: false },
  };
}

/** Writes the config into `dir` and returns its path. */
export function writeGatewayConfig(dir: string, upstreamUrl: string): string {
  const path = join(dir, 'tollgate.bench.json');
  writeFileSync(path, JSON.stringify(gatewayConfig(upstreamUrl), null, 2));
  return path;
}
