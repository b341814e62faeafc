// OpenAI chat request → Anthropic `POST /v1/messages` request.
// Spec: https://docs.anthropic.com/en/api/messages
import { invalidRequest } from '../../src/errors.js';
import type { ChatRequest, FunctionTool, ToolChoice } from '../../src/openai/types.js';
import type { AdapterContext, NativeRequestInput, UpstreamRequest } from '../types.js';
import { mapMessages } from './request-messages.js';
import type { AnthropicRequestBody, AnthropicTool, AnthropicToolChoice } from './wire-types.js';

/** https://docs.anthropic.com/en/api/versioning */
export const ANTHROPIC_VERSION = '2023-06-01';

function mapTool(tool: FunctionTool): AnthropicTool {
  const { name, description, parameters } = tool.function;
  // Anthropic requires an object schema even for tools without parameters.
  const mapped: AnthropicTool = { name, input_schema: parameters ?? { type: 'object', properties: {} } };
  if (description !== undefined) mapped.description = description;
  return mapped;
}

/** https://docs.anthropic.com/en/docs/build-with-claude/tool-use#forcing-tool-use */
function mapToolChoice(choice: ToolChoice | undefined, parallel: boolean | undefined): AnthropicToolChoice | undefined {
  if (choice === 'none') return { type: 'none' };
  const base: Exclude<AnthropicToolChoice, { type: 'none' }> =
    choice === undefined || choice === 'auto'
      ? { type: 'auto' }
      : choice === 'required'
        ? { type: 'any' }
        : { type: 'tool', name: choice.function.name };
  // OpenAI's parallel_tool_calls:false lives on tool_choice in Anthropic's API.
  if (parallel === false) return { ...base, disable_parallel_tool_use: true };
  return choice === undefined ? undefined : base;
}

function maxTokens(req: ChatRequest, ctx: AdapterContext): number {
  // Anthropic requires max_tokens; OpenAI makes it optional, hence the provider default.
  return req.max_tokens ?? req.max_completion_tokens ?? ctx.defaultMaxTokens;
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
export function buildBody(req: ChatRequest, ctx: AdapterContext): AnthropicRequestBody {
  if (typeof req.n === 'number' && req.n > 1) {
    throw invalidRequest('n > 1 is not supported by anthropic models', 'n');
  }
  refuseUntranslatable(req);
  const { system, messages } = mapMessages(req.messages);
  const body: AnthropicRequestBody = { model: ctx.model, max_tokens: maxTokens(req, ctx), messages };
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

export function chatRequest(req: ChatRequest, ctx: AdapterContext): UpstreamRequest {
  const headers: Record<string, string> = {
    'anthropic-version': ANTHROPIC_VERSION,
    'content-type': 'application/json',
  };
  if (ctx.apiKey) headers['x-api-key'] = ctx.apiKey;
  return {
    url: `${ctx.baseUrl}/v1/messages`,
    method: 'POST',
    // Config headers last: they may pin another anthropic-version or add anthropic-beta.
    headers: { ...headers, ...ctx.headers },
    body: JSON.stringify(buildBody(req, ctx)),
  };
}

/**
 * A Messages request passed through: the client's path (and query, e.g. ?beta=true) and body, its
 * anthropic-version and anthropic-beta as sent (open lists: never filtered), our key.
 */
export function nativeRequest(input: NativeRequestInput, ctx: AdapterContext): UpstreamRequest {
  const headers: Record<string, string> = { 'anthropic-version': ANTHROPIC_VERSION, 'content-type': 'application/json', ...input.headers };
  if (ctx.apiKey) headers['x-api-key'] = ctx.apiKey;
  return { url: `${ctx.baseUrl}${input.path}`, method: 'POST', headers: { ...headers, ...ctx.headers }, body: input.body };
}
