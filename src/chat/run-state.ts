// The state of one chat request as it moves through rounds. Created once per request.
import type { ChatMessage, ChatRequest, FunctionTool, Usage } from '../openai/types.js';
import type { Access, ToolEntry } from './ports.js';
import type { Target } from './targets.js';

/** Why the loop stopped before the model finished on its own. */
export type StopNote = 'max_rounds' | 'max_tool_calls' | 'max_cost' | 'loop_timeout' | 'budget_exceeded';

export interface ToolCallSummary {
  round: number;
  id: string;
  name: string;
  status: string;
  latencyMs: number;
  reason?: string;
}

export interface RunState {
  readonly requestId: string;
  readonly startedAt: number;
  readonly request: ChatRequest;
  readonly targets: readonly Target[];
  readonly access: Access;
  readonly stream: boolean;
  readonly includeUsage: boolean;
  /** MCP tools offered to the model in this request (already filtered by policy and header). */
  readonly injected: readonly ToolEntry[];
  readonly injectedNames: ReadonlySet<string>;
  /** Client tools plus injected tools, in the order sent upstream. */
  readonly offeredTools: readonly FunctionTool[] | undefined;
  readonly clientToolNames: ReadonlySet<string>;
  /** Aborts on client disconnect or loop deadline. */
  readonly signal: AbortSignal;
  readonly clientSignal: AbortSignal;
  readonly deadline: number;
  /** Frees the request's timer and listeners; called once when the request ends. */
  release(): void;

  messages: ChatMessage[];
  rounds: number;
  toolCallCount: number;
  usage: Usage | undefined;
  /** LLM + tool dollars charged so far (known parts, estimates included). */
  costUsd: number;
  /** Some part had no known price (its amount is not in costUsd, or is the operator's per-call charge). */
  costUnknown: boolean;
  /** Some part was charged without provider usage (ledger cost_basis = 'estimate'). */
  costEstimated: boolean;
  toolCalls: ToolCallSummary[];
  /** The provider/model that answered last (for the requests row). */
  lastTarget: Target | undefined;
  stopNote: StopNote | undefined;
}

/** A request gets MCP handling when the gateway offered it tools or knows the called name. */
export function isGatewayTool(state: RunState, name: string, knownTool: (n: string) => boolean): boolean {
  if (state.clientToolNames.has(name)) return false;
  // With MCP tools offered, any non-client name is ours (an unknown one gets an error result);
  // without, only names of real MCP tools are (a call to a tool the key may not use is refused).
  return state.injected.length > 0 || knownTool(name);
}
