// The part of an MCP tool definition a pin covers, as canonical JSON (sorted keys), and its hash.
// Only fields that reach the model or describe the tool's behaviour are pinned: a server that
// changes any of them after approval is what a "rug pull" looks like. Key order and other
// serialisation noise must never count as a change, hence the sorting.
import { createHash } from 'node:crypto';
import type { Tool } from '@modelcontextprotocol/client';

/** The pinned fields. `title` is included because toOpenAiTool falls back to it as the description. */
export function pinnedFields(tool: Tool): Record<string, unknown> {
  const out: Record<string, unknown> = { name: tool.name, inputSchema: tool.inputSchema ?? null };
  if (tool.description !== undefined) out.description = tool.description;
  if (tool.title !== undefined) out.title = tool.title;
  if (tool.annotations !== undefined) out.annotations = tool.annotations;
  return out;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const v = (value as Record<string, unknown>)[key];
    if (v !== undefined) out[key] = sortKeys(v);
  }
  return out;
}

/** JSON with object keys sorted at every level; `indent` only for human-readable diffs. */
export function canonicalJson(value: unknown, indent?: number): string {
  return JSON.stringify(sortKeys(value), null, indent);
}

export interface CanonicalDefinition {
  /** Canonical JSON of the pinned fields (what the database stores). */
  json: string;
  /** sha256 hex of `json`. */
  hash: string;
}

// Tool objects are reused by the manager while unchanged, so each is hashed once.
const cache = new WeakMap<Tool, CanonicalDefinition>();

export function canonicalDefinition(tool: Tool): CanonicalDefinition {
  let c = cache.get(tool);
  if (!c) {
    const json = canonicalJson(pinnedFields(tool));
    c = { json, hash: createHash('sha256').update(json).digest('hex') };
    cache.set(tool, c);
  }
  return c;
}
