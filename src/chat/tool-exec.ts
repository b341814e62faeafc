// Runs the MCP tool calls of one round of the tool loop, in parallel, through the shared governed
// tool call (tool-call.ts), and keeps the request's running totals.
import type { ToolCall, ToolMessage } from '../openai/types.js';
import type { LoopState } from './run-state.js';
import { abortSignalOf } from '../upstream/cancel.js';
import { executeToolCall, type Refusal, type ToolCallDeps } from './tool-call.js';

export type ToolExecDeps = ToolCallDeps;

/** `skip(i)` answers a call without running it (calls beyond a loop cap), so the model knows why. */
export async function runToolCalls(
  deps: ToolExecDeps,
  state: LoopState,
  calls: readonly ToolCall[],
  round: number,
  progress: ((text: string) => void) | undefined,
  skip: (index: number) => Refusal | null,
): Promise<ToolMessage[]> {
  const offered = (name: string) => state.injectedNames.has(name);
  const results = await Promise.all(
    calls.map((call, i) =>
      executeToolCall(deps, {
        access: state.access,
        name: call.function.name,
        arguments: call.function.arguments,
        callId: call.id,
        requestId: state.requestId,
        sessionId: null,
        round,
        signal: abortSignalOf(state.cancel),
        timeoutMs: Math.max(1, state.deadline - Date.now()),
        offered,
        refusal: skip(i),
        progress,
      }),
    ),
  );
  return results.map((r, i) => {
    const call = calls[i]!;
    state.costUsd += r.chargedUsd;
    state.toolCalls.push({
      round,
      id: call.id,
      name: call.function.name,
      status: r.status,
      latencyMs: r.latencyMs,
      ...(r.reason ? { reason: r.reason } : {}),
    });
    return { role: 'tool', tool_call_id: call.id, content: r.outcome.content };
  });
}
