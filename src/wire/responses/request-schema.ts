// Validation of POST /v1/responses bodies. Built once at import (pure: no I/O).
// Strict about what the gateway interprets (items it translates, function and mcp tools, the
// fields mapped onto chat), loose about the rest: unknown items, tools and top-level fields are
// kept so a native Responses upstream receives them untouched (Codex's namespace, tool_search…).
import { z } from 'zod';
import { safeParseBody } from '../safe-parse.js';
import { invalidRequest } from '../../errors.js';
import { paramOf } from '../../openai/request-schema.js';
import type { ResponsesRequest } from './types.js';
import { fastResponsesRequest } from './fast-request.js';
import { jsonObject, stringRecordLike } from '../json-object.js';

const inputText = z.looseObject({ type: z.literal('input_text'), text: z.string() });
const outputText = z.looseObject({ type: z.literal('output_text'), text: z.string() });
const refusal = z.looseObject({ type: z.literal('refusal'), refusal: z.string() });
const inputImage = z.looseObject({
  type: z.literal('input_image'),
  image_url: z.string().nullish(),
  file_id: z.string().nullish(),
  detail: z.enum(['auto', 'low', 'high']).optional(),
});
const otherPart = z.looseObject({ type: z.string().min(1) });
const part = z.union([inputText, outputText, refusal, inputImage, otherPart]);

const message = z.looseObject({
  type: z.literal('message').optional(),
  role: z.enum(['user', 'assistant', 'system', 'developer']),
  content: z.union([z.string(), z.array(part)]),
});
const functionCall = z.looseObject({
  type: z.literal('function_call'),
  call_id: z.string().min(1),
  name: z.string().min(1),
  arguments: z.string(),
});
const functionCallOutput = z.looseObject({
  type: z.literal('function_call_output'),
  call_id: z.string().min(1),
  output: z.union([z.string(), z.array(part)]),
});
const approvalResponse = z.looseObject({
  type: z.literal('mcp_approval_response'),
  approval_request_id: z.string().min(1),
  approve: z.boolean(),
  reason: z.string().nullish(),
});
const approvalRequest = z.looseObject({
  type: z.literal('mcp_approval_request'),
  id: z.string().min(1),
  server_label: z.string().min(1),
  name: z.string().min(1),
  arguments: z.string(),
});
const mcpCall = z.looseObject({
  type: z.literal('mcp_call'),
  id: z.string().min(1),
  server_label: z.string().min(1),
  name: z.string().min(1),
  arguments: z.string(),
  output: z.string().nullish(),
  error: z.string().nullish(),
});

/** Items the gateway interprets, by type; any other type is kept as sent. */
const ITEM_SCHEMAS: Record<string, z.ZodType> = {
  message,
  function_call: functionCall,
  function_call_output: functionCallOutput,
  mcp_approval_response: approvalResponse,
  mcp_approval_request: approvalRequest,
  mcp_call: mcpCall,
};

const item = z.looseObject({ type: z.string().min(1).optional() }).check((ctx) => {
  const value = ctx.value as { type?: string };
  const type = value.type ?? 'message';
  // Own keys only: a client's type named like an Object.prototype member (constructor, toString,
  // __proto__) found that member here and threw (a 500); it is an unknown item like any other.
  const schema = Object.hasOwn(ITEM_SCHEMAS, type) ? ITEM_SCHEMAS[type] : undefined;
  if (!schema) return;
  const result = schema.safeParse(value);
  if (!result.success) for (const issue of result.error.issues) ctx.issues.push({ ...issue, input: value } as never);
});

const functionTool = z.looseObject({
  type: z.literal('function'),
  name: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, 'tool names match ^[a-zA-Z0-9_-]{1,64}$'),
  description: z.string().nullish(),
  parameters: jsonObject.nullish(),
  strict: z.boolean().nullish(),
});
const toolFilter = z.looseObject({ tool_names: z.array(z.string()).optional(), read_only: z.boolean().optional() });
const mcpTool = z.looseObject({
  type: z.literal('mcp'),
  server_label: z.string().min(1),
  server_url: z.string().optional(),
  allowed_tools: z.union([z.array(z.string()), toolFilter]).nullish(),
  require_approval: z
    .union([z.enum(['always', 'never']), z.looseObject({ always: toolFilter.optional(), never: toolFilter.optional() })])
    .nullish(),
});
const tool = z.looseObject({ type: z.string().min(1) }).check((ctx) => {
  const type = (ctx.value as { type: string }).type;
  const schema = type === 'function' ? functionTool : type === 'mcp' ? mcpTool : undefined;
  const result = schema?.safeParse(ctx.value);
  if (result && !result.success) for (const issue of result.error.issues) ctx.issues.push({ ...issue, input: ctx.value } as never);
});

const toolChoice = z.union([
  z.enum(['none', 'auto', 'required']),
  z.looseObject({ type: z.literal('function'), name: z.string().min(1) }),
  z.looseObject({ type: z.literal('mcp'), server_label: z.string().min(1), name: z.string().nullish() }),
  z.looseObject({ type: z.string().min(1) }),
]);

const textFormat = z.looseObject({
  type: z.enum(['text', 'json_object', 'json_schema']),
  name: z.string().optional(),
  schema: jsonObject.optional(),
  strict: z.boolean().nullish(),
});

const modelName = z.string().min(1).max(256);

export const responsesRequestSchema = z.looseObject({
  model: modelName,
  input: z.union([z.string(), z.array(item).max(10_000)]).optional(),
  instructions: z.string().nullish(),
  tools: z.array(tool).max(512).optional(),
  tool_choice: toolChoice.optional(),
  parallel_tool_calls: z.boolean().nullish(),
  max_output_tokens: z.number().int().positive().nullish(),
  reasoning: z.looseObject({ effort: z.string().nullish(), summary: z.string().nullish() }).nullish(),
  text: z.looseObject({ format: textFormat.optional(), verbosity: z.string().nullish() }).nullish(),
  store: z.boolean().nullish(),
  include: z.array(z.string()).nullish(),
  previous_response_id: z.string().min(1).max(200).nullish(),
  stream: z.boolean().nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  user: z.string().optional(),
  metadata: stringRecordLike.nullish(),
  fallbacks: z.array(modelName).max(5).optional(),
});

export function parseResponsesRequest(body: unknown): ResponsesRequest {
  // The common request, checked by hand to the same result (fast-request.ts); zod for the rest.
  const req = fastResponsesRequest(body) ?? schemaParse(body);
  if (req.input === undefined && !req.previous_response_id)
    throw invalidRequest('input: required unless previous_response_id is given', 'input');
  return req;
}

function schemaParse(body: unknown): ResponsesRequest {
  const result = safeParseBody(responsesRequestSchema, body);
  if (result.success) return result.data as ResponsesRequest;
  const issue = deepestIssue(result.error.issues);
  const param = paramOf(issue.path);
  throw invalidRequest(`${param ? `${param}: ` : ''}${issue.message}`, param);
}

type Issue = z.core.$ZodIssue;

/** For union failures zod reports the union; the useful message is the deepest branch's. */
function deepestIssue(issues: readonly Issue[]): Issue {
  let best = issues[0]!;
  for (const issue of issues) {
    const candidate =
      issue.code === 'invalid_union' && issue.errors.some((b) => b.length)
        ? deepestIssue(issue.errors.flat().map((i) => ({ ...i, path: [...issue.path, ...i.path] })))
        : issue;
    if (candidate.path.length > best.path.length || best.code === 'invalid_union') best = candidate;
  }
  return best;
}
