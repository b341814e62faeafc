// Shared by the budget-guarantee tests (issue 14): what a key spent according to the ledger and
// according to the live counters (/api/usage), and a report line with the figure.
import assert from 'node:assert/strict';
import { passThroughProviders, type TestGateway } from '../helpers/gateway.js';
import { startStack, type Stack } from '../helpers/stack.js';

export const ADMIN = 'admin-token-budget-tests';
export const EPS = 1e-9;

/** Sum of requests.cost_usd (LLM + tool charges, estimates included) and /mcp tool calls for a key. */
export async function ledgerSpend(gw: TestGateway, keyId: string): Promise<number> {
  const [r] = await gw.query<{ usd: number | null }>(
    `SELECT (SELECT coalesce(sum(cost_usd), 0) FROM requests WHERE key_id = ?)
          + (SELECT coalesce(sum(cost_usd), 0) FROM tool_calls WHERE key_id = ? AND request_id IS NULL) AS usd`,
    keyId,
    keyId,
  );
  return r?.usd ?? 0;
}

export interface LevelUsage {
  level: string;
  id: string;
  limitUsd: number | null;
  spentUsd: number;
  reservedUsd: number;
}

/** The key's level from /api/usage (the live counters). */
export async function keyUsage(url: string, keyId: string): Promise<LevelUsage> {
  const res = await fetch(`${url}/api/usage?key=${keyId}`, { headers: { authorization: `Bearer ${ADMIN}` } });
  assert.equal(res.status, 200);
  const body = (await res.json()) as { data: LevelUsage[] };
  const level = body.data.find((u) => u.level === 'key');
  assert.ok(level, `usage of key ${keyId}`);
  return level;
}

/** Waits (bounded) until the key holds no reservation: every settle and release landed. */
export async function settled(url: string, keyId: string, timeoutMs = 10_000): Promise<LevelUsage> {
  const until = Date.now() + timeoutMs;
  let u = await keyUsage(url, keyId);
  while (u.reservedUsd > EPS && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 25));
    u = await keyUsage(url, keyId);
  }
  return u;
}

/** One line for the report: spent versus budget on a path. */
export function figure(path: string, spent: number, budget: number): void {
  console.log(`# figure: ${path}: spent $${spent.toFixed(6)} of a $${budget} budget`);
}

/** The price of every model in the pass-through budget tests: $10 a million tokens, in and out. */
export const PRICE = { inputPerMTok: 10, outputPerMTok: 10, maxOutputTokens: 300 };

/**
 * The mock and the gateway of a pass-through budget test (and their stop()): an OpenAI provider `oai` that speaks
 * Responses (gpt-5), with `anthropic` also an Anthropic one `ant` (claude-sonnet-4-5), no retries,
 * each model at PRICE; these virtual keys; the admin token. `tag` names the provider keys
 * (sk-`tag`, sk-ant-`tag`).
 */
export function startPassThrough(tag: string, virtualKeys: Record<string, unknown>[], opts: { anthropic?: boolean } = {}): Promise<Stack> {
  return startStack({
    adminToken: ADMIN,
    config: ({ mock }) => {
      const { oai, ant } = passThroughProviders(mock, tag, { maxRetries: 0 });
      return opts.anthropic
        ? { providers: { ant, oai }, pricing: { 'ant/claude-sonnet-4-5': PRICE, 'oai/gpt-5': PRICE }, virtualKeys }
        : { providers: { oai }, pricing: { 'oai/gpt-5': PRICE }, virtualKeys };
    },
  });
}

/**
 * The two keys a budget test compares: `budgeted` (vk-`tag`-budgeted, `usd` a month) and `free`
 * (vk-`tag`-free, no budget), both allowed every model.
 */
export function budgetedAndFree(tag: string, usd: number): Record<string, unknown>[] {
  return [
    { id: 'budgeted', key: `vk-${tag}-budgeted`, models: ['*'], budget: { usd, period: 'month' } },
    { id: 'free', key: `vk-${tag}-free`, models: ['*'] },
  ];
}

/** POST `body` as JSON with `key` (and any extra headers): the status and the parsed answer. */
export async function postJson(
  gw: TestGateway,
  path: string,
  key: string,
  body: object,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: any }> {
  const res = await fetch(`${gw.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

/** Many requests at once on one budget: each answered or refused 402, and the budget did run out. */
export function assertRanOut(statuses: number[]): void {
  assert.ok(
    statuses.every((s) => s === 200 || s === 402),
    statuses.join(','),
  );
  assert.ok(
    statuses.some((s) => s === 402),
    'the budget ran out',
  );
}

/**
 * The budget held against what the upstream billed: the bill is within the budget, the ledger
 * charged the key exactly the bill, and the budget's settled spend is the ledger's.
 */
export async function assertChargedTheBill(gw: TestGateway, keyId: string, billed: number, budget: number): Promise<void> {
  const spent = await ledgerSpend(gw, keyId);
  assert.ok(billed <= budget + EPS, `the upstream billed $${billed} on a $${budget} budget`);
  assert.ok(Math.abs(spent - billed) < EPS, `charged $${spent} for $${billed} of searches`);
  assert.ok(Math.abs((await settled(gw.url, keyId)).spentUsd - spent) < EPS);
}
