// Generates a realistic ledger (requests + llm_calls + tool_calls; ~50 keys, 10 teams,
// 3 customers, 8 models, 20 tools over 90 days, dated up to now; chat, messages, responses and
// /mcp requests) into a SQLite file. Used by
// `npm run bench` (bench/ledger-queries.ts) and by bench/gen-ledger.ts.
import { rmSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { migrateDatabase, openDatabase } from '../src/db/open.js';
import { createPricing } from '../src/ledger/pricing.js';
import type { LedgerItem } from '../src/ledger/rows.js';
import { prepareLedgerStatements } from '../src/ledger/statements.js';

const DAY = 86_400_000;

// Deterministic PRNG (mulberry32) so runs are comparable.
let seed = 42;
const rand = (): number => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
const int = (lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));

const keys = Array.from({ length: 50 }, (_, i) => ({ id: `key-${i}`, team: `team-${i % 10}`, customer: `customer-${(i % 10) % 3}` }));
const models = [
  ['openai', 'gpt-4o-2024-08-06'],
  ['openai', 'gpt-4o-mini'],
  ['openai', 'gpt-4.1'],
  ['openai', 'gpt-4.1-mini'],
  ['openai', 'o4-mini'],
  ['anthropic', 'claude-sonnet-4-20250514'],
  ['anthropic', 'claude-haiku-4-5'],
  ['local', 'llama3'],
] as const;
const tools = ['docs', 'github', 'search', 'db'].flatMap((server) =>
  ['list', 'get', 'search', 'create', 'update'].map((tool) => ({ server, tool, name: `${server}__${tool}` })),
);
const pricing = createPricing({ toolCosts: { search__search: 0.002, search__get: 0.001 } });

/** Writes `targetRows` ledger rows into a fresh database at `path`; returns a one-line summary. */
export function seedLedger(path: string, targetRows: number, now = Date.now()): string {
  seed = 42;
  rmSync(path, { force: true });
  rmSync(`${path}-wal`, { force: true });
  rmSync(`${path}-shm`, { force: true });
  const opened = openDatabase(path);
  migrateDatabase(opened);
  const statements = prepareLedgerStatements(opened.sqlite);
  const started = performance.now();
  let rows = 0;
  let batch: LedgerItem[] = [];
  const push = (item: LedgerItem): void => {
    batch.push(item);
    rows += 1;
    if (batch.length >= 20_000) {
      statements.writeBatch(batch);
      batch = [];
    }
  };
  for (let n = 0; rows < targetRows; n++) {
    const key = pick(keys);
    const [provider, model] = pick(models);
    // Chronological, as a live ledger grows (~3.41 rows per client request on average, /mcp calls included).
    const ts = Math.min(now, now - 90 * DAY + Math.floor((n * 90 * DAY) / (targetRows / 3.41)) + int(0, 999));
    const id = `req-${n}`;
    const r = rand();
    const status = r < 0.96 ? 200 : r < 0.98 ? 429 : r < 0.99 ? 502 : 400;
    // /mcp sessions: each tools/call is a request of its own (surface mcp) with its tool_calls row.
    if (rand() < 0.05) {
      const t = pick(tools);
      const mcpId = `mcp-${n}`;
      const latencyMs = int(5, 800);
      push({
        table: 'tool_calls',
        row: {
          requestId: mcpId,
          sessionId: `sess-${n % 500}`,
          ts,
          keyId: key.id,
          teamId: key.team,
          customerId: key.customer,
          server: t.server,
          tool: t.tool,
          name: t.name,
          argsHash: 'x',
          status: 'ok',
          decision: 'allowed',
          latencyMs,
          costUsd: pricing.toolCost(t.name),
        },
      });
      push({
        table: 'requests',
        row: {
          id: mcpId,
          ts,
          keyId: key.id,
          teamId: key.team,
          customerId: key.customer,
          status: 200,
          toolCalls: 1,
          costUsd: pricing.toolCost(t.name),
          latencyMs,
          source: 'mcp',
          surface: 'mcp',
          sessionId: `sess-${n % 500}`,
        },
      });
    }
    // The client APIs: Chat Completions, Anthropic Messages (Claude Code, with its session ids), Responses.
    const api = rand();
    const surface = api < 0.6 ? 'chat' : api < 0.85 ? 'messages' : 'responses';
    const sessionId = surface === 'messages' && rand() < 0.8 ? `cc-${key.id}-${Math.floor(n / 40)}` : null;
    let prompt = 0,
      completion = 0,
      cost: number | null = 0,
      toolCount = 0;
    const rounds = status !== 200 ? (status === 502 ? 1 : 0) : rand() < 0.3 ? int(2, 3) : 1;
    for (let round = 0; round < rounds; round++) {
      const attempts = rand() < 0.03 ? 2 : 1;
      for (let attempt = 0; attempt < attempts; attempt++) {
        const failed = status === 502 || attempt < attempts - 1;
        const usage = failed
          ? { promptTokens: 0, completionTokens: 0 }
          : { promptTokens: int(200, 8000), completionTokens: int(20, 1500), cachedTokens: rand() < 0.3 ? int(0, 200) : 0 };
        const c = pricing.costOf(provider, model, usage);
        prompt += usage.promptTokens;
        completion += usage.completionTokens;
        cost = cost === null || c === null ? null : cost + c;
        push({
          table: 'llm_calls',
          row: {
            requestId: id,
            ts: ts + round * 900,
            round,
            attempt,
            provider,
            model,
            status: failed ? (rand() < 0.5 ? 0 : 502) : 200,
            errorType: failed ? 'upstream_error' : null,
            ...usage,
            costUsd: c,
            latencyMs: int(200, 6000),
          },
        });
      }
      if (round < rounds - 1) {
        for (let k = int(1, 3); k > 0; k--) {
          const t = pick(tools);
          const x = rand();
          const denied = x < 0.03;
          const status = denied ? 'denied' : x < 0.06 ? 'error' : x < 0.07 ? 'timeout' : 'ok';
          const tc = denied ? 0 : pricing.toolCost(t.name);
          if (cost !== null) cost += tc;
          toolCount += 1;
          push({
            table: 'tool_calls',
            row: {
              requestId: id,
              ts: ts + round * 900 + 500,
              keyId: key.id,
              teamId: key.team,
              customerId: key.customer,
              round,
              server: t.server,
              tool: t.tool,
              name: t.name,
              argsHash: 'x',
              status,
              decision: denied ? 'denied' : 'allowed',
              reason: denied ? 'tool_not_allowed' : null,
              latencyMs: denied ? null : int(5, 3000),
              costUsd: tc,
              error: status === 'error' ? 'boom' : null,
            },
          });
        }
      }
    }
    push({
      table: 'requests',
      row: {
        id,
        ts,
        keyId: key.id,
        teamId: key.team,
        customerId: key.customer,
        model: `${provider}/${model}`,
        provider,
        upstreamModel: model,
        status,
        errorType: status === 200 ? null : 'upstream_status',
        stream: rand() < 0.4,
        rounds,
        toolCalls: toolCount,
        promptTokens: prompt,
        completionTokens: completion,
        costUsd: cost,
        latencyMs: int(300, 20000),
        surface,
        sessionId,
      },
    });
  }
  statements.writeBatch(batch);
  const secs = (performance.now() - started) / 1000;
  const count = (t: string): number => (opened.sqlite.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n;
  const summary = `generated ${rows} rows in ${secs.toFixed(1)}s (${Math.round(rows / secs)} rows/s): requests ${count('requests')}, llm_calls ${count('llm_calls')}, tool_calls ${count('tool_calls')}`;
  opened.sqlite.pragma('optimize');
  opened.close();
  return summary;
}
