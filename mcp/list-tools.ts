// tools/list with pagination: https://modelcontextprotocol.io/specification/2025-06-18/server/utilities/pagination
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';

/** Stops a server that keeps returning cursors from looping forever. */
const MAX_PAGES = 1_000;

/** Every tool a server offers, following nextCursor until the server says it is done. */
export async function listAllTools(client: Client, timeoutMs: number): Promise<Tool[]> {
  const tools: Tool[] = [];
  const seen = new Set<string>();
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const result = await client.listTools(cursor === undefined ? {} : { cursor }, { timeout: timeoutMs });
    tools.push(...result.tools);
    cursor = result.nextCursor;
    if (cursor === undefined || seen.has(cursor)) return tools;
    seen.add(cursor);
  }
  return tools;
}

/**
 * The new list, reusing the previous Tool object wherever a definition is unchanged, so work
 * keyed on the object (compiled validators, OpenAI tool shapes) is not redone on every refresh.
 * Returns `previous` itself when nothing changed.
 */
export function mergeTools(previous: readonly Tool[], next: readonly Tool[]): readonly Tool[] {
  const byName = new Map(previous.map((t) => [t.name, t] as const));
  let changed = previous.length !== next.length;
  const merged = next.map((tool, i) => {
    const old = byName.get(tool.name);
    if (old && JSON.stringify(old) === JSON.stringify(tool)) {
      if (previous[i] !== old) changed = true;
      return old;
    }
    changed = true;
    return tool;
  });
  return changed ? merged : previous;
}
