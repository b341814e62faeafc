// The state of one request as it moves through rounds. Created once per request.
// LoopState is what the tool loop, the budget hooks and the ledger need, whatever the wire format;
// RunState adds the chat surface's conversation (the chat codec's own state).
import type { ChatMessage, ChatRequest, FunctionTool, ToolCall, Usage } from '../openai/types.js';
import type { Access, ToolEntry, ToolRuntime } from './ports.js';
import type { Target } from './targets.js';
import type { Cancel } from '../upstream/cancel.js';

/** Why the loop stopped before the model finished on its own. */
export type StopNote = 'max_rounds' | 'max_tool_calls' | 'max_cost' | 'loop_timeout' | 'budget_exceeded' | 'rate_limited';

/** Which API the client spoke (the ledger's `requests.surface`). */
export type Surface = 'chat' | 'messages' | 'responses' | 'mcp';

export interface ToolCallSummary {
  round: number;
  id: string;
  name: string;
  status: string;
  latencyMs: number;
  reason?: string;
}

export interface LoopState {
  readonly requestId: string;
  readonly startedAt: number;
  readonly surface: Surface;
  /** The client's agent session id (a configured session header), for the ledger. */
  readonly sessionId: string | null;
  /** The model as the client named it. */
  readonly model: string;
  /** The client's request as parsed (the ledger's request payload, when payloads are on). */
  readonly clientRequest: unknown;
  /** Hints dropped in translation (the x-tollgate-warnings header; the ledger's `warnings`). */
  readonly warnings?: readonly string[];
  readonly targets: readonly Target[];
  readonly access: Access;
  readonly stream: boolean;
  /** MCP tools offered to the model in this request (already filtered by policy and header). */
  readonly injected: readonly ToolEntry[];
  readonly injectedNames: ReadonlySet<string>;
  readonly clientToolNames: ReadonlySet<string>;
  /**
   * Fires on client disconnect or loop deadline. An AbortSignal of it (abortSignalOf) is made only
   * where one is needed (a tool call, a retry's wait): the upstream calls take it as it is. Not a
   * `signal` getter: on Node 20 (V8 11.3) an object literal with an accessor is built property by
   * property and left in dictionary mode (tests/hot-path-accessors.test.ts).
   */
  readonly cancel: Cancel;
  /** Whether the client has gone (only read, never listened to). */
  readonly clientSignal: { readonly aborted: boolean };
  readonly deadline: number;
  /** Frees the request's timer and listeners; called once when the request ends. */
  release(): void;

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

export interface RunState extends LoopState {
  readonly request: ChatRequest;
  readonly includeUsage: boolean;
  /** Client tools plus injected tools, in the order sent upstream. */
  readonly offeredTools: readonly FunctionTool[] | undefined;
  messages: ChatMessage[];
  /** Input tokens the spoken answers the request names by audio id add to every round's bound (owned-audio.ts). */
  audioTokens: number;
  /** The output tokens the current round's attempt reserved: a spoken answer's size when its usage does not say. */
  spokenCap: number | undefined;
}

/** A request gets MCP handling when the gateway offered it tools or knows the called name. */
export function isGatewayTool(state: LoopState, name: string, knownTool: (n: string) => boolean): boolean {
  if (state.clientToolNames.has(name)) return false;
  // With MCP tools offered, any non-client name is ours (an unknown one gets an error result);
  // without, only names of real MCP tools are (a call to a tool the key may not use is refused).
  return state.injected.length > 0 || knownTool(name);
}

/** isGatewayTool for one request, a name known when the gateway's tool runtime has it (the loop and every codec). */
export function gatewayToolTest(state: LoopState, tools: Pick<ToolRuntime, 'getTool'> | null | undefined): (name: string) => boolean {
  const known = (name: string) => tools?.getTool(name) !== undefined;
  return (name) => isGatewayTool(state, name, known);
}

/** Whether a turn calls one of the gateway's tools: the loop goes on after it, so it is not the round that ends the answer. */
export function callsGatewayTool(turn: { toolCalls: readonly ToolCall[] }, isGateway: (name: string) => boolean): boolean {
  return turn.toolCalls.some((c) => isGateway(c.function.name));
}
