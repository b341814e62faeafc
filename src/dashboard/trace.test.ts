import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { buildTrace } from './trace.js';
import type { LlmCallDetail, ToolCallDetail } from './request-queries.js';

const llm = (round: number, attempt: number): LlmCallDetail => ({
  id: round * 10 + attempt,
  ts: 0,
  round,
  attempt,
  provider: 'openai',
  model: 'gpt-4o-mini',
  status: 200,
  error_type: null,
  prompt_tokens: 1,
  completion_tokens: 1,
  cost_usd: 0,
  cost_unknown: 0,
  latency_ms: 5,
});
const tool = (id: number, round: number, args: string): ToolCallDetail => ({
  id,
  ts: 0,
  round,
  server: 'everything',
  tool: 'echo',
  name: 'everything__echo',
  args_hash: createHash('sha256').update(args).digest('hex'),
  status: 'ok',
  decision: 'allowed',
  reason: null,
  latency_ms: 3,
  cost_usd: 0,
  error: null,
});

describe('buildTrace', () => {
  test('groups attempts and tool calls by round, in order', () => {
    const t = buildTrace([llm(1, 0), llm(0, 1), llm(0, 0)], [tool(1, 0, '{}')], []);
    assert.deepEqual(
      t.rounds.map((r) => r.round),
      [0, 1],
    );
    assert.equal(t.rounds[0]!.attempts.length, 2);
    assert.equal(t.rounds[0]!.tools.length, 1);
    assert.equal(t.rounds[1]!.tools.length, 0);
  });

  test('matches payloads to tool calls by argument hash and call id', () => {
    const payloads = [
      { id: 1, kind: 'request', ref: null, body: '{"model":"x"}' },
      { id: 2, kind: 'tool_args', ref: 'call_b', body: '{"message":"two"}' },
      { id: 3, kind: 'tool_result', ref: 'call_b', body: 'result two' },
      { id: 4, kind: 'tool_args', ref: 'call_a', body: '{"message":"one"}' },
      { id: 5, kind: 'tool_result', ref: 'call_a', body: 'result one' },
    ];
    const t = buildTrace([llm(0, 0)], [tool(7, 0, '{"message":"one"}'), tool(8, 0, '{"message":"two"}')], payloads);
    const [one, two] = t.rounds[0]!.tools;
    assert.equal(one!.args, '{"message":"one"}');
    assert.equal(one!.result, 'result one');
    assert.equal(two!.result, 'result two');
    assert.equal(t.request, '{"model":"x"}');
    assert.equal(t.response, undefined);
  });

  test('no payloads: tool calls have no args or result', () => {
    const t = buildTrace([], [tool(1, 2, '{}')], []);
    assert.equal(t.rounds[0]!.round, 2);
    assert.equal(t.rounds[0]!.tools[0]!.args, undefined);
  });
});
