// The Anthropic Messages wire format (POST /v1/messages), as far as the gateway reads or writes it.
// Spec: https://docs.anthropic.com/en/api/messages and /en/api/messages-streaming. Blocks, tools and
// fields the gateway does not interpret keep every field (index signatures): on pass-through the
// upstream receives them untouched (thinking signatures, cache_control, server tools, betas).

export interface TextBlock {
  type: 'text';
  text: string;
  [key: string]: unknown;
}
export interface ImageBlock {
  type: 'image';
  source: { type: 'base64'; media_type: string; data: string } | { type: 'url'; url: string } | { type: string; [key: string]: unknown };
  [key: string]: unknown;
}
export interface ToolUseBlock {
  type: 'tool_use';
  id: string;
  name: string;
  input: unknown;
  [key: string]: unknown;
}
export interface ToolResultBlock {
  type: 'tool_result';
  tool_use_id: string;
  content?: string | ContentBlock[];
  is_error?: boolean;
  [key: string]: unknown;
}
/** thinking, redacted_thinking, document, server_tool_use, web_search_tool_result, and blocks added later. */
export interface OtherBlock {
  type: string;
  [key: string]: unknown;
}
export type ContentBlock = TextBlock | ImageBlock | ToolUseBlock | ToolResultBlock | OtherBlock;

export interface MessageParam {
  /** user and assistant; Messages upstreams also take "system" turns mid-conversation. */
  role: 'user' | 'assistant' | 'system' | (string & {});
  content: string | ContentBlock[];
  [key: string]: unknown;
}

/** A custom tool ({name, description, input_schema}) or a server tool ({type: 'web_search_…', name}). */
export interface Tool {
  name: string;
  type?: string;
  description?: string;
  input_schema?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface ToolChoice {
  type: 'auto' | 'any' | 'tool' | 'none';
  name?: string;
  disable_parallel_tool_use?: boolean;
  [key: string]: unknown;
}

export interface MessagesRequest {
  model: string;
  max_tokens?: number;
  messages: MessageParam[];
  system?: string | TextBlock[];
  tools?: Tool[];
  tool_choice?: ToolChoice;
  stream?: boolean;
  stop_sequences?: string[];
  temperature?: number;
  top_p?: number;
  top_k?: number;
  metadata?: { user_id?: string | null; [key: string]: unknown };
  thinking?: { type: string; budget_tokens?: number; [key: string]: unknown };
  /** Tollgate's extension (never sent upstream): `provider/model` names tried after `model`. */
  fallbacks?: string[];
  [key: string]: unknown;
}

export interface Usage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  [key: string]: unknown;
}

export type StopReason = 'end_turn' | 'max_tokens' | 'stop_sequence' | 'tool_use' | 'pause_turn' | 'refusal' | string;

export interface Message {
  id: string;
  type: 'message';
  role: 'assistant';
  model: string;
  content: ContentBlock[];
  stop_reason: StopReason | null;
  stop_sequence: string | null;
  usage: Usage;
  [key: string]: unknown;
}

/** https://docs.anthropic.com/en/api/messages-streaming#event-types */
export type StreamEvent =
  | { type: 'message_start'; message: Message }
  | { type: 'content_block_start'; index: number; content_block: ContentBlock }
  | { type: 'content_block_delta'; index: number; delta: { type: string; [key: string]: unknown } }
  | { type: 'content_block_stop'; index: number }
  | { type: 'message_delta'; delta: { stop_reason: StopReason | null; stop_sequence: string | null }; usage: Partial<Usage> }
  | { type: 'message_stop' }
  | { type: 'ping' }
  | { type: 'error'; error: { type: string; message: string } };
