// Chat Completions request → Messages request (pure), for chat clients whose model routes to a
// provider that speaks Messages. The reverse of to-chat-request.ts; turns and content parts are
// mapped in from-chat-turns.ts and from-chat-content.ts.
// Spec: https://docs.anthropic.com/en/api/messages
import { invalidRequest } from '../../errors.js';
import type { ChatRequest, FunctionTool, ToolChoice as ChatToolChoice } from '../../openai/types.js';
import { mapMessages } from './from-chat-turns.js';
import type { MessagesRequest, Tool, ToolChoice } from './types.js';

export interface FromChatOptions {
  /** The model name the upstream knows. */
  model: string;
  /** Used when the request sets no output cap: Messages requires max_tokens, chat does not. */
  defaultMaxTokens: number;
}

function mapTool(tool: FunctionTool): Tool {
  const { name, description, parameters } = tool.function;
  // Anthropic requires an object schema even for tools without parameters.
  const mapped: Tool = { name, input_schema: parameters ?? { type: 'object', properties: {} } };
  if (description !== undefined) mapped.description = description;
  return mapped;
}

/** https://docs.anthropic.com/en/docs/build-with-claude/tool-use#forcing-tool-use */
function mapToolChoice(choice: ChatToolChoice | undefined, parallel: boolean | undefined): ToolChoice | undefined {
  if (choice === 'none') return { type: 'none' };
  const base: ToolChoice =
    choice === undefined || choice === 'auto'
      ? { type: 'auto' }
      : choice === 'required'
        ? { type: 'any' }
        : { type: 'tool', name: choice.function.name };
  // OpenAI's parallel_tool_calls:false lives on tool_choice in Anthropic's API.
  if (parallel === false) return { ...base, disable_parallel_tool_use: true };
  return choice === undefined ? undefined : base;
}

function maxTokens(req: ChatRequest, opts: FromChatOptions): number {
  return req.max_tokens ?? req.max_completion_tokens ?? opts.defaultMaxTokens;
}

/**
 * Builds the body field by field from what Anthropic understands (Anthropic rejects unknown fields).
 * OpenAI parameters that would change the answer and have no Anthropic equivalent are refused with
 * a 400 naming them (`untranslatable_field`), never dropped silently: logprobs/top_logprobs, seed,
 * non-zero frequency/presence penalties, a non-empty logit_bias, n > 1, response_format json_object.
 * response_format json_schema becomes Anthropic's structured output (output_config.format,
 * https://docs.anthropic.com/en/docs/build-with-claude/structured-outputs). What only concerns
 * OpenAI's service and has no effect on the answer is not sent: stream_options (Anthropic streams
 * always carry usage), service_tier, store, metadata (OpenAI's has other semantics), prediction,
 * and Tollgate's own `fallbacks`.
 */
export function chatToMessages(req: ChatRequest, opts: FromChatOptions): MessagesRequest {
  if (typeof req.n === 'number' && req.n > 1) {
    throw invalidRequest('n > 1 is not supported by anthropic models', 'n');
  }
  refuseUntranslatable(req);
  const { system, messages } = mapMessages(req.messages);
  const body: MessagesRequest = { model: opts.model, max_tokens: maxTokens(req, opts), messages };
  if (system !== undefined) body.system = system;
  if (req.tools && req.tools.length > 0) {
    body.tools = req.tools.map(mapTool);
    // tool_choice without tools is meaningless (and rejected), so it is only sent alongside them.
    const choice = mapToolChoice(req.tool_choice, req.parallel_tool_calls);
    if (choice) body.tool_choice = choice;
  }
  if (req.stop != null) body.stop_sequences = typeof req.stop === 'string' ? [req.stop] : [...req.stop];
  if (req.temperature != null) body.temperature = req.temperature;
  if (req.top_p != null) body.top_p = req.top_p;
  if (typeof req.user === 'string' && req.user !== '') body.metadata = { user_id: req.user };
  if (req.stream === true) body.stream = true;
  const format = structuredOutput(req.response_format);
  if (format) body.output_config = { format };
  return body;
}

const untranslatable = (param: string, why: string) => invalidRequest(`${param}: ${why} (anthropic models)`, param, 'untranslatable_field');

function refuseUntranslatable(req: ChatRequest): void {
  if (req.logprobs === true) throw untranslatable('logprobs', 'log probabilities are not available');
  if (req.top_logprobs != null) throw untranslatable('top_logprobs', 'log probabilities are not available');
  if (req.seed != null) throw untranslatable('seed', 'sampling cannot be seeded');
  for (const field of ['frequency_penalty', 'presence_penalty'] as const) {
    const value = req[field];
    if (value != null && value !== 0) throw untranslatable(field, 'there are no repetition penalties');
  }
  const bias = req.logit_bias;
  if (bias && typeof bias === 'object' && Object.keys(bias).length > 0)
    throw untranslatable('logit_bias', 'token biases are not available');
  const mode = (req.response_format as { type?: unknown } | null | undefined)?.type;
  if (mode !== undefined && mode !== 'text' && mode !== 'json_schema')
    throw untranslatable('response_format', `"${String(mode)}" has no equivalent; use json_schema with a schema`);
}

/** OpenAI's json_schema response_format → Anthropic's output format. */
function structuredOutput(format: unknown): { type: 'json_schema'; schema: unknown } | undefined {
  const f = format as { type?: string; json_schema?: { schema?: unknown } } | null | undefined;
  if (f?.type !== 'json_schema') return undefined;
  if (!f.json_schema?.schema || typeof f.json_schema.schema !== 'object')
    throw untranslatable('response_format.json_schema.schema', 'a JSON schema object is required');
  return { type: 'json_schema', schema: f.json_schema.schema };
}
