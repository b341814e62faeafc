// The gateway-wide tool snapshot: every connected server's tools under unique gateway names,
// with the OpenAI shape and argument validator built once per tool definition.
import type { Tool } from '@modelcontextprotocol/client';
import type { FunctionTool } from '../src/openai/types.js';
import { compileArguments, type ArgumentValidator } from './arguments.js';
import { toOpenAiTool } from './mapping.js';
import { buildNameTable } from './tool-names.js';

export interface McpToolEntry {
  /** Gateway name, `server__tool` (sanitised, unique). */
  readonly name: string;
  readonly server: string;
  /** The tool's name on its MCP server. */
  readonly tool: string;
  /** The MCP Tool object as the server listed it. */
  readonly definition: Tool;
  readonly openai: FunctionTool;
}

export interface CatalogEntry extends McpToolEntry {
  readonly validator: ArgumentValidator;
}

/**
 * Builds the snapshot from each server's current tools. Entries whose name and definition object
 * are unchanged since `previous` are reused as-is (same objects), so nothing is recompiled.
 */
export function buildCatalog(
  servers: ReadonlyArray<{ name: string; tools: readonly Tool[] }>,
  previous: ReadonlyMap<string, CatalogEntry>,
): Map<string, CatalogEntry> {
  const definitions = new Map<string, Tool>();
  const refs: { server: string; tool: string }[] = [];
  for (const server of servers) {
    for (const tool of server.tools) {
      definitions.set(`${server.name}\u0000${tool.name}`, tool);
      refs.push({ server: server.name, tool: tool.name });
    }
  }
  const catalog = new Map<string, CatalogEntry>();
  for (const [name, ref] of buildNameTable(refs)) {
    const definition = definitions.get(`${ref.server}\u0000${ref.tool}`);
    if (!definition) continue;
    const old = previous.get(name);
    if (old && old.definition === definition && old.server === ref.server) {
      catalog.set(name, old);
      continue;
    }
    catalog.set(name, {
      name,
      server: ref.server,
      tool: ref.tool,
      definition,
      openai: toOpenAiTool(name, definition),
      validator: compileArguments(definition.inputSchema),
    });
  }
  return catalog;
}
