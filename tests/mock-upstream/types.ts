// Scripted replies for the loopback mock upstream. Tests queue replies; the mock renders each in
// the wire format of the endpoint that was called (OpenAI /v1/chat/completions or Anthropic
// /v1/messages), streaming or not as the request asks.

export interface MockUsage {
  input: number;
  output: number;
  cacheRead?: number;
  cacheWrite?: number;
  /** Of cacheWrite, the tokens written for an hour (Anthropic's usage.cache_creation). */
  cacheWrite1h?: number;
  /** OpenAI wire: of input and output, the audio tokens (`…_tokens_details.audio_tokens`: an audio model's). */
  audioInput?: number;
  audioOutput?: number;
  /**
   * Anthropic wire: `usage.iterations` (server-side compaction): each sampling step of the request,
   * the `compaction` ones billed beside the top-level counts, which report the message steps only.
   */
  iterations?: { type: 'compaction' | 'message'; input: number; output: number }[];
}

export interface MockToolCall {
  id?: string;
  name: string;
  /** Sent as JSON text (OpenAI) or as the tool_use input object (Anthropic). */
  arguments: unknown;
  /** Responses wire only: a custom tool call (`custom_tool_call` with `input` text) instead of a function call. */
  custom?: boolean;
}

/** Responses wire only: a reasoning item first in the output (what Codex sends back with store:false). */
export interface MockReasoning {
  summary?: string;
  encrypted?: string;
}

export type MockReply =
  | {
      kind: 'text';
      text: string;
      usage?: MockUsage;
      finish?: 'stop' | 'length';
      delayMs?: number;
      /** Pause between stream frames (a slow stream a client can drop mid-way). */
      frameDelayMs?: number;
      /** OpenAI wire: no usage at all (some compatible servers omit it). */
      omitUsage?: boolean;
      reasoning?: MockReasoning;
      /** The upstream ran its own web search this many times before answering (hosted-tools.ts). */
      webSearches?: number;
      /**
       * The upstream ran code in this container before answering (hosted-tools.ts): Responses a
       * code_interpreter_call item, Anthropic the message's `container` (streamed: message_delta's).
       */
      container?: string;
      /** Responses wire: the upstream generated an image (its image_generation_call item, the image in `result`). */
      imageGeneration?: boolean;
      /** OpenAI Chat Completions: the answer is spoken too, kept upstream under this audio id (message.audio; streamed: delta.audio). */
      audio?: string;
      /** Responses: a remote MCP server's call the upstream asks the client to approve (an mcp_approval_request item, id mcpr_mock<n>). */
      approvalRequest?: { server_label: string; name: string; arguments: string };
    }
  | { kind: 'tool_calls'; text?: string; calls: MockToolCall[]; usage?: MockUsage; delayMs?: number; reasoning?: MockReasoning }
  /** Upstream HTTP error with a body in the provider's error shape unless `body` is given. */
  | { kind: 'error'; status: number; message?: string; body?: string; headers?: Record<string, string> }
  /** Destroy the socket before sending headers. */
  | { kind: 'reset' }
  /** Stream some text, then destroy the socket (only meaningful for streaming requests). */
  | { kind: 'reset-mid-stream'; text: string }
  /** Never answer (until the client gives up). */
  | { kind: 'hang' }
  /** Stream some text, then an in-stream error event (Anthropic `event: error`, OpenAI `data: {"error":…}`). */
  | { kind: 'stream-error'; text: string; errorType: string; message: string }
  /** Exactly this status and body (invalid JSON, empty body…). */
  | { kind: 'raw'; status: number; body: string; contentType?: string };

/** What a wire renderer produces for text / tool_calls / stream-error replies. */
export type Rendered = { json: unknown } | { frames: string[] };
