// Validation of POST /v1/messages bodies. Built once at import (pure: no I/O). Strict about what the
// gateway interprets (model, messages and their roles, tools' names, tool_choice, max_tokens,
// stream), loose about everything else, so a pass-through upstream receives unknown fields, blocks
// and server tools untouched. The request-size caps (wire/request-size.ts) run before it.
import { z } from 'zod';
import { safeParseBody } from '../safe-parse.js';
import { invalidRequest } from '../../errors.js';
import { paramOf } from '../../openai/request-schema.js';
import { fastMessagesRequest } from './fast-request.js';
import type { MessagesRequest } from './types.js';

const tool = z.looseObject({ name: z.string().min(1).max(256) });
const toolChoice = z.looseObject({ type: z.enum(['auto', 'any', 'tool', 'none']), name: z.string().optional() });
const modelName = z.string().min(1).max(256);

export const messagesRequestSchema = z.looseObject({
  model: modelName,
  max_tokens: z.number().int().positive().optional(),
  // Checked by hand below: zod costs ~10 µs a block, and a long agent conversation has thousands.
  messages: z.array(z.unknown()).min(1, 'messages must contain at least one message'),
  system: z.union([z.string(), z.array(z.unknown())]).optional(),
  tools: z.array(tool).max(1024).optional(),
  tool_choice: toolChoice.optional(),
  stream: z.boolean().optional(),
  // Tollgate's extension, as on chat: models tried in order after `model` (never sent upstream).
  fallbacks: z.array(modelName).max(5).optional(),
});

export function parseMessagesRequest(body: unknown): MessagesRequest {
  // The common shape checked by hand (fast-request.ts): the schema's own answer, without zod's cost.
  const req = fastMessagesRequest(body) ?? schemaParse(body);
  if (Array.isArray(req.system)) checkBlocks(req.system, 'system');
  req.messages.forEach((m, i) => {
    if (m === null || typeof m !== 'object' || Array.isArray(m)) fail(`messages[${i}]`, 'expected an object');
    // Roles beyond user/assistant pass through to a Messages upstream (Claude Code sends
    // mid-conversation "system" turns); translation maps system in place and refuses the rest.
    if (typeof m.role !== 'string' || m.role.length === 0 || m.role.length > 32) fail(`messages[${i}].role`, 'expected a role');
    if (typeof m.content === 'string') return;
    if (!Array.isArray(m.content)) fail(`messages[${i}].content`, 'expected a string or an array of content blocks');
    checkBlocks(m.content, `messages[${i}].content`);
  });
  return req;
}

function schemaParse(body: unknown): MessagesRequest {
  const result = safeParseBody(messagesRequestSchema, body);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const param = paramOf(issue.path);
    throw invalidRequest(`${param ? `${param}: ` : ''}${issue.message}`, param);
  }
  return result.data as MessagesRequest;
}

function checkBlocks(blocks: unknown[], param: string): void {
  for (let j = 0; j < blocks.length; j++) {
    const b = blocks[j] as { type?: unknown } | null;
    if (b === null || typeof b !== 'object' || Array.isArray(b)) fail(`${param}[${j}]`, 'expected a content block object');
    if (typeof b.type !== 'string' || b.type.length === 0) fail(`${param}[${j}].type`, 'expected a block type');
  }
}

function fail(param: string, message: string): never {
  throw invalidRequest(`${param}: ${message}`, param);
}
