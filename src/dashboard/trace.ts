// Builds a request's trace from its ledger rows: LLM attempts grouped by round, each round's tool
// calls under it, and each tool call's arguments/result from `payloads` when payload logging was
// on. Payload rows carry the model's tool-call id, tool_calls rows the sha256 of the arguments,
// so a call is matched to the first unused tool_args payload with the same hash, and its result
// is the tool_result payload with that payload's ref.
import { createHash } from 'node:crypto';
import type { LlmCallDetail, PayloadDetail, ToolCallDetail } from './request-queries.js';

export interface TraceTool extends ToolCallDetail {
  args?: string;
  result?: string;
}

export interface TraceRound {
  round: number;
  attempts: LlmCallDetail[];
  tools: TraceTool[];
}

export interface Trace {
  rounds: TraceRound[];
  request?: string;
  response?: string;
}

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

export function buildTrace(llm: LlmCallDetail[], tools: ToolCallDetail[], payloads: PayloadDetail[]): Trace {
  const rounds = new Map<number, TraceRound>();
  const roundOf = (n: number): TraceRound => {
    let r = rounds.get(n);
    if (!r) rounds.set(n, (r = { round: n, attempts: [], tools: [] }));
    return r;
  };
  for (const a of llm) roundOf(a.round).attempts.push(a);

  const args = payloads.filter((p) => p.kind === 'tool_args').map((p) => ({ p, hash: sha256(p.body), used: false }));
  const results = payloads.filter((p) => p.kind === 'tool_result');
  for (const t of tools) {
    const entry: TraceTool = { ...t };
    const match = args.find((a) => !a.used && a.hash === t.args_hash);
    if (match) {
      match.used = true;
      entry.args = match.p.body;
      const result = results.find((r) => r.ref !== null && r.ref === match.p.ref) ?? results.find((r) => r.id > match.p.id);
      if (result) entry.result = result.body;
    }
    roundOf(t.round ?? 0).tools.push(entry);
  }

  const trace: Trace = { rounds: [...rounds.values()].sort((a, b) => a.round - b.round) };
  const request = payloads.find((p) => p.kind === 'request');
  const response = payloads.find((p) => p.kind === 'response');
  if (request) trace.request = request.body;
  if (response) trace.response = response.body;
  return trace;
}
