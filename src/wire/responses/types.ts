// The OpenAI Responses wire format (POST /v1/responses), as far as the gateway reads or writes it.
// Shapes follow openai-node's src/resources/responses/responses.ts; items and tools the gateway does
// not interpret keep every field (index signatures) so a native upstream receives them untouched.
// Reference: https://platform.openai.com/docs/api-reference/responses

export interface InputTextPart {
  type: 'input_text';
  text: string;
}
export interface InputImagePart {
  type: 'input_image';
  image_url?: string | null;
  file_id?: string | null;
  detail?: 'auto' | 'low' | 'high';
}
export interface InputFilePart {
  type: 'input_file';
  file_data?: string;
  file_id?: string | null;
  file_url?: string;
  filename?: string;
}
export interface OutputTextPart {
  type: 'output_text';
  text: string;
  annotations: unknown[];
  logprobs?: unknown[];
}
export interface RefusalPart {
  type: 'refusal';
  refusal: string;
}
export type ContentPart = InputTextPart | InputImagePart | InputFilePart | OutputTextPart | RefusalPart;

/** A message item; `type` is optional on input ("EasyInputMessage"). */
export interface MessageItem {
  type?: 'message';
  id?: string;
  role: 'user' | 'assistant' | 'system' | 'developer';
  content: string | ContentPart[];
  status?: 'in_progress' | 'completed' | 'incomplete';
}

export interface FunctionCallItem {
  type: 'function_call';
  id?: string;
  call_id: string;
  name: string;
  arguments: string;
  status?: 'in_progress' | 'completed' | 'incomplete';
}

export interface FunctionCallOutputItem {
  type: 'function_call_output';
  id?: string | null;
  call_id: string;
  output: string | ContentPart[];
  status?: 'in_progress' | 'completed' | 'incomplete' | null;
}

export interface ReasoningItem {
  type: 'reasoning';
  id: string;
  summary: { type: 'summary_text'; text: string }[];
  content?: { type: 'reasoning_text'; text: string }[];
  encrypted_content?: string | null;
  status?: 'in_progress' | 'completed' | 'incomplete';
}

export interface McpToolListing {
  name: string;
  input_schema: unknown;
  description?: string | null;
  annotations?: unknown;
}

export interface McpListToolsItem {
  type: 'mcp_list_tools';
  id: string;
  server_label: string;
  tools: McpToolListing[];
  error?: string | null;
}

export interface McpCallItem {
  type: 'mcp_call';
  id: string;
  server_label: string;
  name: string;
  arguments: string;
  output?: string | null;
  error?: string | null;
  approval_request_id?: string | null;
  status?: 'in_progress' | 'completed' | 'incomplete' | 'calling' | 'failed';
}

export interface McpApprovalRequestItem {
  type: 'mcp_approval_request';
  id: string;
  server_label: string;
  name: string;
  arguments: string;
}

export interface McpApprovalResponseItem {
  type: 'mcp_approval_response';
  id?: string | null;
  approval_request_id: string;
  approve: boolean;
  reason?: string | null;
}

/** Any other item (web_search_call, custom_tool_call, Codex's local_shell_call…): kept as sent. */
export interface OtherItem {
  type: string;
  [key: string]: unknown;
}

export type InputItem =
  | MessageItem
  | FunctionCallItem
  | FunctionCallOutputItem
  | ReasoningItem
  | McpListToolsItem
  | McpCallItem
  | McpApprovalRequestItem
  | McpApprovalResponseItem
  | OtherItem;

export type OutputItem =
  | (MessageItem & { type: 'message'; id: string; role: 'assistant'; content: (OutputTextPart | RefusalPart)[] })
  | (FunctionCallItem & { id: string })
  | ReasoningItem
  | McpListToolsItem
  | McpCallItem
  | McpApprovalRequestItem;

export interface FunctionToolDef {
  type: 'function';
  name: string;
  description?: string | null;
  parameters?: Record<string, unknown> | null;
  strict?: boolean | null;
}

/** `{never: {tool_names}}` / `{always: {tool_names}}`, or the plain words. */
export type ApprovalSetting =
  | 'always'
  | 'never'
  | { always?: { tool_names?: string[]; read_only?: boolean }; never?: { tool_names?: string[]; read_only?: boolean } };

export interface McpToolDef {
  type: 'mcp';
  server_label: string;
  server_url?: string;
  connector_id?: string;
  allowed_tools?: string[] | { tool_names?: string[]; read_only?: boolean } | null;
  require_approval?: ApprovalSetting | null;
  headers?: Record<string, string> | null;
  authorization?: string;
  server_description?: string;
  [key: string]: unknown;
}

export interface OtherToolDef {
  type: string;
  [key: string]: unknown;
}

export type ToolDef = FunctionToolDef | McpToolDef | OtherToolDef;

export type ResponsesToolChoice =
  | 'none'
  | 'auto'
  | 'required'
  | { type: 'function'; name: string }
  | { type: 'mcp'; server_label: string; name?: string | null }
  | { type: string; [key: string]: unknown };

export interface TextFormat {
  type: 'text' | 'json_object' | 'json_schema';
  name?: string;
  schema?: Record<string, unknown>;
  strict?: boolean | null;
  description?: string;
}

/** A validated request. Fields the gateway does not interpret stay (native pass-through sends them). */
export interface ResponsesRequest {
  model: string;
  input?: string | InputItem[];
  instructions?: string | null;
  tools?: ToolDef[];
  tool_choice?: ResponsesToolChoice;
  parallel_tool_calls?: boolean | null;
  max_output_tokens?: number | null;
  /** Calls of built-in tools (web search…) the upstream may make in this response (hosted-tools.ts). */
  max_tool_calls?: number | null;
  reasoning?: { effort?: string | null; summary?: string | null; generate_summary?: string | null } | null;
  text?: { format?: TextFormat; verbosity?: string | null } | null;
  store?: boolean | null;
  include?: string[] | null;
  previous_response_id?: string | null;
  stream?: boolean | null;
  temperature?: number | null;
  top_p?: number | null;
  user?: string;
  metadata?: Record<string, string> | null;
  /** Tollgate extension, as on chat: models tried in order when the primary fails. */
  fallbacks?: string[];
  [key: string]: unknown;
}

export interface ResponseUsage {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
}

export type ResponseStatus = 'completed' | 'failed' | 'in_progress' | 'cancelled' | 'queued' | 'incomplete';

export interface ResponseObject {
  id: string;
  object: 'response';
  created_at: number;
  status: ResponseStatus;
  error: { code: string; message: string } | null;
  incomplete_details: { reason: 'max_output_tokens' | 'content_filter' } | null;
  instructions: string | null;
  max_output_tokens: number | null;
  model: string;
  output: OutputItem[];
  parallel_tool_calls: boolean;
  previous_response_id: string | null;
  reasoning: { effort: string | null; summary: string | null };
  store: boolean;
  temperature: number | null;
  text: { format: TextFormat };
  tool_choice: ResponsesToolChoice;
  tools: ToolDef[];
  top_p: number | null;
  truncation: 'auto' | 'disabled';
  usage: ResponseUsage | null;
  user: string | null;
  metadata: Record<string, string>;
  [key: string]: unknown;
}

/** One stream event: `type` plus its fields; `sequence_number` is stamped by the writer. */
export interface StreamEvent {
  type: string;
  sequence_number: number;
  [key: string]: unknown;
}
