// Gateway names for MCP tools. OpenAI function names must match ^[a-zA-Z0-9_-]{1,64}$
// (https://platform.openai.com/docs/api-reference/chat/create#chat-create-tools), and the
// gateway offers tool `search` of server `docs` as `docs__search` (README, "MCP tools and the loop").
import { createHash } from 'node:crypto';

export const MAX_TOOL_NAME_LENGTH = 64;
const SEPARATOR = '__';
const HASH_LENGTH = 8;

export interface ToolRef {
  server: string;
  tool: string;
}

/** Short, stable hash of a string (hex). */
function shortHash(value: string, length = HASH_LENGTH): string {
  return createHash('sha256').update(value).digest('hex').slice(0, length);
}

/** `server__tool` before any sanitising: the identity every derived name hashes. */
function rawName(server: string, tool: string): string {
  return `${server}${SEPARATOR}${tool}`;
}

/** Replaces characters OpenAI rejects with '_' (an empty tool name becomes '_'). */
function sanitizeName(name: string): string {
  const clean = name.replace(/[^a-zA-Z0-9_-]/g, '_');
  return clean.length > 0 ? clean : '_';
}

/** Cuts a name to `max` characters, ending in '_' + a hash of the original so cut names stay unique. */
function shorten(name: string, original: string, max = MAX_TOOL_NAME_LENGTH, hashLength = HASH_LENGTH): string {
  if (name.length <= max) return name;
  const suffix = `_${shortHash(original, hashLength)}`;
  return name.slice(0, max - suffix.length) + suffix;
}

/**
 * The gateway name of an MCP tool: `server__tool`, with characters outside [a-zA-Z0-9_-]
 * replaced by '_', and names over 64 characters shortened to a prefix + '_' + hash of the
 * full original name. Pure and deterministic; uniqueness across a set is `buildNameTable`'s job.
 */
export function toolName(server: string, tool: string): string {
  const original = rawName(server, tool);
  return shorten(sanitizeName(original), original);
}

/** A name derived with an extra hash suffix, used when two tools sanitise to the same name. */
function disambiguated(ref: ToolRef, hashLength: number): string {
  const original = rawName(ref.server, ref.tool);
  const base = sanitizeName(original);
  const suffix = `_${shortHash(original, hashLength)}`;
  const room = MAX_TOOL_NAME_LENGTH - suffix.length;
  return base.slice(0, room) + suffix;
}

/**
 * Gateway name → {server, tool} for a set of tools, unique even when sanitising collides
 * (e.g. `a.b` and `a_b`). Deterministic and order-independent: a tool whose name needed no
 * change keeps it; every other member of a colliding group gets a hash suffix of its own
 * original name, so one tool's name does not depend on which others happen to be listed.
 * Exact duplicates (same server and tool) are kept once.
 */
export function buildNameTable(entries: readonly ToolRef[]): Map<string, ToolRef> {
  const unique = new Map<string, ToolRef>();
  for (const e of entries) unique.set(rawName(e.server, e.tool), { server: e.server, tool: e.tool });
  const sorted = [...unique.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

  const groups = new Map<string, { original: string; ref: ToolRef }[]>();
  for (const [original, ref] of sorted) {
    const candidate = toolName(ref.server, ref.tool);
    const group = groups.get(candidate) ?? [];
    group.push({ original, ref });
    groups.set(candidate, group);
  }

  const table = new Map<string, ToolRef>();
  const pending: ToolRef[] = [];
  for (const [candidate, group] of groups) {
    const first = group[0];
    if (group.length === 1 && first) {
      table.set(candidate, first.ref);
      continue;
    }
    for (const member of group) {
      if (member.original === candidate) table.set(candidate, member.ref);
      else pending.push(member.ref);
    }
  }
  // Hash suffixes can in theory collide with each other or a clean name: lengthen until free.
  for (const ref of pending) {
    for (let length = HASH_LENGTH; ; length += 4) {
      const name = disambiguated(ref, length);
      if (!table.has(name)) {
        table.set(name, ref);
        break;
      }
    }
  }
  return table;
}
