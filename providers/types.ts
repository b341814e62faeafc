// The contract between the gateway and a provider adapter. Adapters are pure translators:
// no network, no Hono, no env, no SSE string formatting. The gateway owns all I/O
// (src/upstream) and hands adapters parsed values.
import type { GatewayError } from '../src/errors.js';
import type { ChatCompletion, ChatCompletionChunk, ChatRequest } from '../src/openai/types.js';

/** A fully described HTTP request the gateway will send for the adapter. */
export interface UpstreamRequest {
  url: string;
  method: 'POST' | 'GET' | 'DELETE';
  headers: Record<string, string>;
  /** JSON text. */
  body?: string;
}

/** What an in-process upstream answers: the status, headers and whole body an HTTP server would send. */
export interface InProcessResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** An upstream that lives in the gateway's process (the built-in demo provider): no network at all. */
export interface InProcessUpstream {
  /** Requests whose URL starts with this are answered by `answer` instead of being sent. */
  readonly origin: string;
  answer(req: UpstreamRequest): InProcessResponse;
}

/** One parsed Server-Sent Event (see src/upstream/sse-parser.ts). */
export interface SseEvent {
  event?: string;
  data: string;
  id?: string;
}

export interface AdapterContext {
  /** Provider base URL from config, without a trailing slash. */
  baseUrl: string;
  /** Secret for this attempt (already chosen among the provider's weighted keys); may be absent. */
  apiKey?: string;
  /** The model name the upstream knows (the part after `provider/`). */
  model: string;
  /** Used when the request sets no max_tokens and the upstream requires one (Anthropic). */
  defaultMaxTokens: number;
  /** Extra static headers from the provider's config. */
  headers?: Record<string, string>;
}

/**
 * Turns an upstream event stream into OpenAI chunks. Stateful per response, still pure:
 * it only sees values. `push` throws a GatewayError when the upstream reports an error mid-stream.
 */
export interface StreamTranslator {
  push(event: SseEvent): ChatCompletionChunk[];
  /**
   * Whether the answer's terminal event has been pushed (OpenAI's `data: [DONE]`, Anthropic's
   * message_stop): the answer is whole, so the gateway ends the call there and reads the rest of the
   * body unseen; what the upstream does after it (a reset, a stall) is not the call's outcome.
   */
  ended(): boolean;
  /** Called once when the upstream stream ends, or once `ended()`; returns any trailing chunks. */
  end(): ChatCompletionChunk[];
}

/** The client-facing API formats (DESIGN.md, "Wire formats and the loop"). */
export type WireFormat = 'chat' | 'messages' | 'responses';

/** A request in a format the upstream speaks natively: the client's bytes, passed through. */
export interface NativeRequestInput {
  format: WireFormat;
  /** The API path and query as the client called it, e.g. `/v1/messages?beta=true`. */
  path: string;
  /** JSON text (the client's own bytes, model rewritten, unless the gateway had to add to it). */
  body: string;
  /** Client headers the format forwards as they came (Messages: anthropic-version, anthropic-beta). */
  headers: Record<string, string>;
}

export interface ProviderAdapter {
  /**
   * Formats this kind of upstream speaks natively (default ["chat"]); requests in these formats are
   * passed through with nativeRequest, others are translated through chat. Config `apis` overrides.
   */
  readonly apis?: readonly WireFormat[];
  /** Builds the upstream request for a pass-through call in one of `apis` (other than chat). */
  nativeRequest?(input: NativeRequestInput, ctx: AdapterContext): UpstreamRequest;
  /** The `type` a provider declares in config. */
  readonly type: string;
  /**
   * Build the upstream request. For `stream: true` the adapter must ask the upstream for usage
   * (the ledger needs it); the gateway drops the usage chunk if the client did not ask for it.
   */
  chatRequest(req: ChatRequest, ctx: AdapterContext): UpstreamRequest;
  /** Translate a successful (2xx) non-streaming JSON body. */
  chatResponse(body: unknown, ctx: AdapterContext): ChatCompletion;
  /**
   * True when upstream JSON bodies already are OpenAI chat completions: the gateway may then send
   * the upstream's bytes to the client as they came, instead of serialising the parsed object again.
   */
  readonly canonicalResponses: boolean;
  streamTranslator(ctx: AdapterContext): StreamTranslator;
  /** Translate a non-2xx upstream response into the gateway's error (retryable where sensible). */
  errorFromResponse(status: number, bodyText: string, headers: Record<string, string | undefined>): GatewayError;
  /**
   * Only for built-in demo providers: the gateway answers this provider's requests in-process
   * instead of over the network, says so at startup, and refuses it under NODE_ENV=production
   * unless TOLLGATE_ALLOW_DEMO=1.
   */
  readonly inProcess?: InProcessUpstream;
}
