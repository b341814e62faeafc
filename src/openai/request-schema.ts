// Validation of POST /v1/chat/completions bodies. Built once at import (pure: no I/O).
// Strict about what the gateway interprets, loose about the rest: unknown top-level parameters
// are kept so OpenAI-compatible upstreams receive them untouched.
import { z } from 'zod';
import { safeParseBody } from '../wire/safe-parse.js';
import { invalidRequest } from '../errors.js';
import type { ChatRequest } from './types.js';
import { fastChatRequest } from './fast-chat-request.js';
import { jsonObject } from '../wire/json-object.js';

const textPart = z.looseObject({ type: z.literal('text'), text: z.string() });
const imagePart = z.looseObject({
  type: z.literal('image_url'),
  image_url: z.looseObject({ url: z.string().min(1), detail: z.enum(['auto', 'low', 'high']).optional() }),
});
const otherPart = z.looseObject({ type: z.string().min(1) });
const part = z.union([textPart, imagePart, otherPart]);
const content = z.union([z.string(), z.array(part)]);

const toolCall = z.looseObject({
  id: z.string().min(1),
  type: z.literal('function'),
  function: z.looseObject({ name: z.string().min(1), arguments: z.string() }),
});

const message = z.discriminatedUnion('role', [
  z.looseObject({ role: z.enum(['system', 'developer']), content, name: z.string().optional() }),
  z.looseObject({ role: z.literal('user'), content, name: z.string().optional() }),
  z.looseObject({
    role: z.literal('assistant'),
    content: content.nullish(),
    tool_calls: z.array(toolCall).optional(),
    name: z.string().optional(),
  }),
  z.looseObject({ role: z.literal('tool'), tool_call_id: z.string().min(1), content }),
]);

const functionTool = z.looseObject({
  type: z.literal('function'),
  function: z.looseObject({
    name: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, 'tool names match ^[a-zA-Z0-9_-]{1,64}$'),
    description: z.string().optional(),
    parameters: jsonObject.optional(),
  }),
});

const toolChoice = z.union([
  z.enum(['none', 'auto', 'required']),
  z.looseObject({ type: z.literal('function'), function: z.looseObject({ name: z.string().min(1) }) }),
]);

const modelName = z.string().min(1).max(256);

export const chatRequestSchema = z.looseObject({
  model: modelName,
  messages: z.array(message).min(1, 'messages must contain at least one message'),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullish(),
  tools: z.array(functionTool).max(512).optional(),
  tool_choice: toolChoice.optional(),
  parallel_tool_calls: z.boolean().optional(),
  max_tokens: z.number().int().positive().nullish(),
  max_completion_tokens: z.number().int().positive().nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  n: z.literal(1, 'the gateway supports n = 1 only').nullish(),
  stop: z.union([z.string(), z.array(z.string()).max(4)]).nullish(),
  user: z.string().optional(),
  fallbacks: z.array(modelName).max(5).optional(),
});

/** zod path → the OpenAI `param` convention: `messages[0].content`. */
export function paramOf(path: readonly PropertyKey[]): string | null {
  if (path.length === 0) return null;
  return path.reduce<string>((acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)), '');
}

export function parseChatRequest(body: unknown): ChatRequest {
  // The common request, checked by hand to the same result (fast-chat-request.ts); zod for the rest.
  const common = fastChatRequest(body);
  if (common) return common;
  const result = safeParseBody(chatRequestSchema, body);
  if (result.success) return result.data as ChatRequest;
  const issue = deepestIssue(result.error.issues);
  const param = paramOf(issue.path);
  throw invalidRequest(`${param ? `${param}: ` : ''}${issue.message}`, param);
}

type Issue = z.core.$ZodIssue;

/** For union failures zod reports the union; the most useful message is the deepest branch error. */
function deepestIssue(issues: readonly Issue[]): Issue {
  let best = issues[0]!;
  for (const issue of issues) {
    if (issue.code === 'invalid_union' && issue.errors.length) {
      for (const branch of issue.errors) {
        if (!branch.length) continue;
        const inner = deepestIssue(branch.map((i) => ({ ...i, path: [...issue.path, ...i.path] })));
        if (inner.path.length > best.path.length) best = inner;
      }
    } else if (issue.path.length > best.path.length) best = issue;
  }
  return best;
}
