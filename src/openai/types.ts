// The canonical shapes every part of the gateway speaks: OpenAI Chat Completions.
// Provider adapters translate to and from these; nothing else sees an upstream format.
// Reference: https://platform.openai.com/docs/api-reference/chat

export type Role = 'system' | 'developer' | 'user' | 'assistant' | 'tool';

export interface TextPart {
  type: 'text';
  text: string;
}

export interface ImagePart {
  type: 'image_url';
  image_url: { url: string; detail?: 'auto' | 'low' | 'high' };
}

/** Parts we do not translate (audio, files…) still pass through to OpenAI-compatible upstreams. */
export interface OtherPart {
  type: string;
  [key: string]: unknown;
}

export type ContentPart = TextPart | ImagePart | OtherPart;

export interface ToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export interface SystemMessage {
  role: 'system' | 'developer';
  content: string | ContentPart[];
  name?: string;
}

export interface UserMessage {
  role: 'user';
  content: string | ContentPart[];
  name?: string;
}

export interface AssistantMessage {
  role: 'assistant';
  content?: string | ContentPart[] | null;
  tool_calls?: ToolCall[];
  name?: string;
  refusal?: string | null;
}

export interface ToolMessage {
  role: 'tool';
  tool_call_id: string;
  content: string | ContentPart[];
}

export type ChatMessage = SystemMessage | UserMessage | AssistantMessage | ToolMessage;

export interface FunctionTool {
  type: 'function';
  function: {
    name: string;
    description?: string;
    parameters?: Record<string, unknown>;
    strict?: boolean | null;
  };
}

export type ToolChoice = 'none' | 'auto' | 'required' | { type: 'function'; function: { name: string } };

/**
 * A validated request. Fields the gateway does not interpret are kept (index signature) and
 * forwarded verbatim to OpenAI-compatible upstreams.
 */
export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  stream?: boolean | null;
  stream_options?: { include_usage?: boolean } | null;
  tools?: FunctionTool[];
  tool_choice?: ToolChoice;
  parallel_tool_calls?: boolean;
  max_tokens?: number | null;
  max_completion_tokens?: number | null;
  temperature?: number | null;
  top_p?: number | null;
  stop?: string | string[] | null;
  user?: string;
  /** Tollgate extension: models tried in order when the primary fails with a retryable error. */
  fallbacks?: string[];
  [key: string]: unknown;
}

export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'function_call';

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  /** cache_creation_1h_tokens: the share of cache_creation_tokens written for an hour (Anthropic), priced apart. */
  /** audio_tokens: of the prompt or completion tokens, the audio ones (OpenAI's audio models), priced apart. */
  prompt_tokens_details?: {
    cached_tokens?: number;
    cache_creation_tokens?: number;
    cache_creation_1h_tokens?: number;
    audio_tokens?: number;
  };
  completion_tokens_details?: { reasoning_tokens?: number; audio_tokens?: number };
}

export interface ChatCompletionChoice {
  index: number;
  message: {
    role: 'assistant';
    content: string | null;
    tool_calls?: ToolCall[];
    refusal?: string | null;
    /** The spoken answer (`modalities: ["text","audio"]`): {id, data, expires_at, transcript}. */
    audio?: unknown;
  };
  finish_reason: FinishReason | null;
  logprobs?: unknown;
}

export interface ChatCompletion {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: ChatCompletionChoice[];
  usage?: Usage;
  system_fingerprint?: string | null;
  [key: string]: unknown;
}

export interface ToolCallDelta {
  index: number;
  id?: string;
  type?: 'function';
  function?: { name?: string; arguments?: string };
}

/** `choices[].delta.audio` of a streamed spoken answer (no SDK type: openai-openapi issue #577). */
export interface AudioDelta {
  id?: string;
  data?: string;
  transcript?: string;
  expires_at?: number;
}

export interface ChunkChoice {
  index: number;
  delta: {
    role?: 'assistant';
    content?: string | null;
    tool_calls?: ToolCallDelta[];
    refusal?: string | null;
    /** A piece of the spoken answer: any of id, data (base64), transcript; the last carries only expires_at. */
    audio?: AudioDelta | null;
  };
  finish_reason: FinishReason | null;
  logprobs?: unknown;
}

export interface ChatCompletionChunk {
  id: string;
  object: 'chat.completion.chunk';
  created: number;
  model: string;
  choices: ChunkChoice[];
  usage?: Usage | null;
  system_fingerprint?: string | null;
  [key: string]: unknown;
}

export interface ModelList {
  object: 'list';
  data: { id: string; object: 'model'; created: number; owned_by: string; type: 'model'; display_name: string; created_at: string }[];
  /** Anthropic's list fields (https://docs.anthropic.com/en/api/models-list). */
  has_more: boolean;
  first_id: string | null;
  last_id: string | null;
}
