// The rows the pipeline hands to the ledger writer (camelCase; the writer maps them to the
// snake_case columns of src/db/schema.ts). Optional fields are stored as NULL.
import type { ErrorKind } from '../errors.js';

export type CostBasis = 'usage' | 'estimate';

/**
 * What a requests row's request did: `call` a model call (or an /mcp tools/call), the only
 * operation the cost views count as requests; `count_tokens` a token count; `retrieve`, `delete`, `input_items` a
 * stored response read, deleted or its input items listed (GET|DELETE /v1/responses/{id}[/input_items]).
 */
export type RequestOperation = 'call' | 'count_tokens' | 'retrieve' | 'delete' | 'input_items';

export interface RequestRow {
  /** The x-request-id. */
  id: string;
  /** Epoch ms when the request arrived. */
  ts: number;
  keyId?: string | null;
  teamId?: string | null;
  customerId?: string | null;
  /** As requested by the client, e.g. `openai/gpt-4o-mini`. */
  model?: string | null;
  provider?: string | null;
  upstreamModel?: string | null;
  /** HTTP status returned to the client. */
  status: number;
  errorType?: ErrorKind | null;
  errorMessage?: string | null;
  stream?: boolean;
  rounds?: number;
  toolCalls?: number;
  promptTokens?: number;
  completionTokens?: number;
  cachedTokens?: number;
  /** LLM + tool costs of the known parts; null only when nothing had a price. */
  costUsd: number | null;
  /** Some part had no price. Defaults to costUsd === null. */
  costUnknown?: boolean;
  /** 'estimate' when some part was charged without provider usage. Default 'usage'. */
  costBasis?: CostBasis;
  latencyMs?: number;
  source?: 'chat' | 'mcp';
  /** The API the client spoke. Default 'chat'. */
  surface?: 'chat' | 'messages' | 'responses' | 'mcp';
  /** The client's agent session id, when it sent one. */
  sessionId?: string | null;
  /** What the request did (README, the ledger). Default 'call'. */
  operation?: RequestOperation;
  /** Hints dropped in translation, '; '-separated. */
  warnings?: string | null;
}

export interface LlmCallRow {
  requestId: string;
  ts: number;
  round?: number;
  attempt?: number;
  provider: string;
  /** Upstream model name. */
  model: string;
  /** Upstream HTTP status; 0 for a network error or timeout. */
  status: number;
  errorType?: ErrorKind | null;
  promptTokens?: number;
  completionTokens?: number;
  cachedTokens?: number;
  costUsd: number | null;
  /** Defaults to costUsd === null. */
  costUnknown?: boolean;
  /** 'estimate' when charged without the provider's usage (cut short, no usage). Default 'usage'. */
  costBasis?: CostBasis;
  latencyMs?: number;
}

export type ToolCallStatus =
  | 'ok'
  | 'error'
  | 'timeout'
  | 'cancelled'
  | 'invalid_arguments'
  | 'unknown_tool'
  | 'server_unavailable'
  | 'denied';

export interface ToolCallRow {
  /** Null for calls made through /mcp. */
  requestId?: string | null;
  /** MCP session id for /mcp calls. */
  sessionId?: string | null;
  ts: number;
  keyId?: string | null;
  teamId?: string | null;
  customerId?: string | null;
  round?: number | null;
  server: string;
  /** MCP tool name. */
  tool: string;
  /** Gateway name `server__tool`. */
  name: string;
  /** sha256 hex of the arguments JSON. */
  argsHash?: string | null;
  status: ToolCallStatus;
  decision: 'allowed' | 'denied';
  /** tool_not_allowed, tool_rate_limited, budget_exceeded, tool_drifted… */
  reason?: string | null;
  latencyMs?: number | null;
  costUsd?: number | null;
  error?: string | null;
  /** What was used: a tool (default), or at /mcp a prompt (`name` = `server__prompt`) or a resource (`name` = `server+<uri>`). */
  kind?: 'tool' | 'prompt' | 'resource';
}

export interface PayloadRow {
  requestId?: string | null;
  ts: number;
  kind: 'request' | 'response' | 'tool_args' | 'tool_result';
  /** e.g. the tool call id. */
  ref?: string | null;
  body: string;
}

export type LedgerItem =
  | { table: 'requests'; row: RequestRow }
  | { table: 'llm_calls'; row: LlmCallRow }
  | { table: 'tool_calls'; row: ToolCallRow }
  | { table: 'payloads'; row: PayloadRow };

/**
 * The most characters a tool_calls row keeps of a name a client or a model made up (its server,
 * tool and name columns): more than any name the gateway serves (tool and prompt names are at most
 * 256, resource URIs 4096), so their rows are whole, while a refused 1 MB name does not make a row of
 * megabytes in the ledger queue every key shares (tests/isolation/ledger-name-sizes.test.ts).
 */
export const MAX_LEDGER_NAME = 4096;

export function ledgerName(name: string): string {
  return name.length > MAX_LEDGER_NAME ? name.slice(0, MAX_LEDGER_NAME) : name;
}
