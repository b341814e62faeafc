// Gateway MCP tools in Anthropic's tool form ({name, description, input_schema}), built once per
// tool entry (entries are shared objects that live as long as the tool set).
import type { ToolEntry } from '../chat/ports.js';
import type { Tool } from '../wire/messages/types.js';

const cache = new WeakMap<ToolEntry, Tool>();

export function anthropicTool(entry: ToolEntry): Tool {
  let tool = cache.get(entry);
  if (!tool) {
    const fn = entry.openai.function;
    tool = { name: fn.name, input_schema: fn.parameters ?? { type: 'object', properties: {} } };
    if (fn.description !== undefined) tool.description = fn.description;
    cache.set(entry, tool);
  }
  return tool;
}
