// One key must not hold an MCP server every key shares (README, Guarantees: Isolation). Many MCP
// servers run few calls at once — a stdio server answers one at a time in practice, others have a
// concurrency limit — so a key that keeps many slow tool calls open (through /mcp, on several
// sessions, and through the chat loop) made every other key's call to that server wait behind all of
// them. A key now has at most `maxToolCallsInFlightPerKey` (default 16; `rateLimit.toolCallsInFlight`
// per key) tool calls in flight on a replica, and the keys of one team `maxToolCallsInFlightPerTeam`
// (64) together; past either a call is refused at once as its tool result (reason
// `key_tool_calls_in_flight_exhausted` / `team_tool_calls_in_flight_exhausted`), recorded as denied.
//
// The server here runs one call at a time (SLOW_MS each). Measured before the fix: the hog's 32
// calls queued at the server and another key's one call waited for all of them (~8 s).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import type { MockUpstream } from '../mock-upstream/server.js';
import type { TestGateway } from '../helpers/gateway.js';
import type { FixtureTool } from '../fixtures/mcp-http-server.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { toolResultsOf } from '../helpers/wire.js';
import { waitFor } from '../helpers/wait-for.js';
import { connectStreamable, reasonOf, type Connected } from '../../mcp/server/testing.js';

const HOG = 'vk-tool-flight-hog-01';
const OTHER = 'vk-tool-flight-other1';
const NARROW = 'vk-tool-flight-narrow';
const TEAM_KEYS = [1, 2, 3].map((i) => `vk-tool-flight-team-${i}`);
/** How long the server takes per call, one call at a time. */
const SLOW_MS = 250;
const PER_KEY = 4;
const PER_TEAM = 5;
const KEY_REASON = 'key_tool_calls_in_flight_exhausted';
const TEAM_REASON = 'team_tool_calls_in_flight_exhausted';

let mock: MockUpstream;
let gw: TestGateway;
let stop: Stack['stop'] | undefined;
/** Calls at the server now (running or waiting for the one before), and the most there were. */
let atServer = 0;
let mostAtServer = 0;

before(async () => {
  // A server that runs one call at a time, as a stdio server does.
  let previous: Promise<void> = Promise.resolve();
  const queue: FixtureTool = {
    description: 'Answers after SLOW_MS, one call at a time',
    inputSchema: { who: z.string() },
    handler: async (args) => {
      atServer++;
      mostAtServer = Math.max(mostAtServer, atServer);
      const mine = previous.then(() => new Promise<void>((r) => setTimeout(r, SLOW_MS)));
      previous = mine;
      await mine;
      atServer--;
      return { content: [{ type: 'text', text: `done ${String(args.who)}` }] };
    },
  };
  const key = (id: string, k: string, extra: Record<string, unknown> = {}) => ({
    id,
    key: k,
    models: ['*'],
    tools: { allow: ['fix__*'] },
    ...extra,
  });
  ({ mock, gw, stop } = await startStack({
    mcp: { tools: { queue }, server: { callTimeoutMs: 60_000 } },
    config: {
      maxToolCallsInFlightPerKey: PER_KEY,
      maxToolCallsInFlightPerTeam: PER_TEAM,
      teams: [{ id: 'many' }],
      virtualKeys: [
        key('hog', HOG),
        key('other', OTHER),
        key('narrow', NARROW, { rateLimit: { toolCallsInFlight: 1 } }),
        ...TEAM_KEYS.map((k, i) => key(`team-${i}`, k, { team: 'many' })),
      ],
    },
  }));
});
after(() => stop?.());

const call = (s: Connected, who: string) => s.client.callTool({ name: 'fix__queue', arguments: { who } }, undefined, { timeout: 60_000 });

async function sessions(key: string, n: number): Promise<Connected[]> {
  return Promise.all(Array.from({ length: n }, () => connectStreamable(gw.url, key)));
}

describe('MCP tool calls in flight per key', () => {
  test('a key’s slow calls through /mcp and the chat loop hold at most its bound; another key is not kept waiting', {
    timeout: 60_000,
  }, async (t) => {
    const hog = await sessions(HOG, 3);
    const [other] = await sessions(OTHER, 1);
    try {
      mostAtServer = 0;
      // The chat loop: one turn of 8 calls of the slow tool.
      mock.enqueue(
        { kind: 'tool_calls', calls: Array.from({ length: 8 }, (_, i) => ({ name: 'fix__queue', arguments: { who: `loop${i}` } })) },
        { kind: 'text', text: 'done' },
      );
      const loop = fetch(`${gw.baseURL}/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${HOG}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hog the server' }] }),
      });
      let answered = 0;
      const viaMcp = Array.from({ length: 24 }, (_, i) => call(hog[i % 3]!, `mcp${i}`).finally(() => void answered++));
      // Every /mcp call of the hog is at the server or answered (refusals come back at once).
      await waitFor(() => mock.requests.length >= 1 && answered + atServer >= 24, 10_000, 'the hog’s calls placed');
      const hogMost = mostAtServer;
      const t0 = performance.now();
      const mine = await call(other!, 'other');
      const otherMs = performance.now() - t0;
      const results = await Promise.all(viaMcp);
      const answer = await loop;
      assert.equal(answer.status, 200);
      await waitFor(() => mock.requests.length >= 2, 10_000, 'the loop’s second round');
      const loopResults = toolResultsOf(mock.requests[1]!.body).map((r) => (r.content.includes(KEY_REASON) ? KEY_REASON : 'ran'));
      const mcpResults = results.map((r) => reasonOf(r) ?? 'ran');
      const all = [...mcpResults, ...loopResults];
      const refused = all.filter((r) => r === KEY_REASON).length;
      t.diagnostic(
        `another key's call: ${Math.round(otherMs)} ms; the hog: ${all.length - refused} ran, ${refused} refused; at most ${hogMost} of its calls at the server`,
      );
      assert.equal(reasonOf(mine), undefined, JSON.stringify(mine));
      assert.ok(hogMost <= PER_KEY, `the hog had ${hogMost} calls at the server at once`);
      assert.ok(mostAtServer <= PER_KEY + 1, `${mostAtServer} calls at the server at once, the other key's included`);
      assert.ok(otherMs < SLOW_MS * (PER_KEY + 4), `another key's call took ${Math.round(otherMs)} ms behind the hog's`);
      assert.deepEqual(
        all.filter((r) => r !== 'ran' && r !== KEY_REASON),
        [],
        'every call ran or was refused for the bound',
      );
      assert.ok(refused >= 32 - 2 * PER_KEY, `${refused} refused`);
      // Each refusal is recorded as denied, with its reason.
      const rows = await gw.query<{ n: number }>(
        "SELECT COUNT(*) AS n FROM tool_calls WHERE key_id = 'hog' AND decision = 'denied' AND reason = ?",
        KEY_REASON,
      );
      assert.equal(Number(rows[0]!.n), refused);
      // The slots came back with the answers.
      assert.equal(reasonOf(await call(hog[0]!, 'again')), undefined);
    } finally {
      await Promise.all([...hog, other!].map((s) => s.close()));
    }
  });

  test('rateLimit.toolCallsInFlight sets one key’s bound', { timeout: 30_000 }, async () => {
    const [s] = await sessions(NARROW, 1);
    try {
      const reasons = (await Promise.all([0, 1, 2].map((i) => call(s!, `n${i}`)))).map((r) => reasonOf(r) ?? 'ran');
      assert.deepEqual(reasons.sort(), [KEY_REASON, KEY_REASON, 'ran']);
      const rows = await gw.query<{ n: number }>(
        "SELECT COUNT(*) AS n FROM requests WHERE key_id = 'narrow' AND surface = 'mcp' AND error_message = ?",
        `denied: ${KEY_REASON}`,
      );
      assert.equal(Number(rows[0]!.n), 2);
    } finally {
      await s!.close();
    }
  });

  test('the keys of one team hold at most maxToolCallsInFlightPerTeam together', { timeout: 30_000 }, async () => {
    const team = await Promise.all(TEAM_KEYS.map((k) => connectStreamable(gw.url, k)));
    try {
      // Each key stays within its own bound (4); together they pass the team's (5).
      const results = await Promise.all(team.flatMap((s, k) => Array.from({ length: PER_KEY }, (_, i) => call(s, `t${k}-${i}`))));
      const reasons = results.map((r) => reasonOf(r) ?? 'ran');
      assert.equal(reasons.filter((r) => r === 'ran').length, PER_TEAM, reasons.join(','));
      assert.equal(reasons.filter((r) => r === TEAM_REASON).length, 3 * PER_KEY - PER_TEAM);
    } finally {
      await Promise.all(team.map((s) => s.close()));
    }
  });
});
