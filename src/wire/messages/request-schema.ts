// Validation of POST /v1/messages bodies. Built once at import (pure: no I/O). Strict about what the
// gateway interprets (model, messages and their roles, tools' names, tool_choice, max_tokens,
// stream), loose about everything else, so a pass-through upstream receives unknown fields, blocks
// and server tools untouched. The request-size caps (wire/request-size.ts) run before it.
import { z } from 'zod';
import { invalidRequest } from '../../errors.js';
import { paramOf } from '../../openai/request-schema.js';
import type { MessagesRequest } from './types.js';

const block = z.looseObject({ type: z.string().min(1) });
const content = z.union([z.string(), z.array(block)]);
// Roles beyond user/assistant pass through to a Messages upstream (Claude Code sends mid-conversation
// "system" turns); translation maps system in place and refuses what it cannot map.
const message = z.looseObject({ role: z.string().min(1).max(32), content });
const tool = z.looseObject({ name: z.string().min(1).max(256) });
const toolChoice = z.looseObject({ type: z.enum(['auto', 'any', 'tool', 'none']), name: z.string().optional() });
const modelName = z.string().min(1).max(256);

export const messagesRequestSchema = z.looseObject({
  model: modelName,
  max_tokens: z.number().int().positive().optional(),
  messages: z.array(message).min(1, 'messages must contain at least one message'),
  system: z.union([z.string(), z.array(block)]).optional(),
  tools: z.array(tool).max(1024).optional(),
  tool_choice: toolChoice.optional(),
  stream: z.boolean().optional(),
});

export function parseMessagesRequest(body: unknown): MessagesRequest {
  const result = messagesRequestSchema.safeParse(body);
  if (result.success) return result.data as MessagesRequest;
  const issue = result.error.issues[0]!;
  const param = paramOf(issue.path);
  throw invalidRequest(`${param ? `${param}: ` : ''}${issue.message}`, param);
}
