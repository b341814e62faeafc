// Anthropic-schema client tools (bash, text editor, computer use, memory: typed tools the client
// runs) in a Messages request. Anthropic expands each into a prompt of its own, billed as input,
// which the tool's JSON (`{"type": "bash_20250124", "name": "bash"}`) does not hold, so the input
// bound (governance/messages-prompt-bound.ts) adds the figure below per tool. Any other typed tool
// that is neither one of these nor a server tool (server-tools.ts) is one the gateway cannot bound:
// refused under a budget (messages/budget-inputs.ts). Pure.
import { isServerToolType } from './server-tools.js';
import type { Tool } from './types.js';

/**
 * Input tokens a tool of each family (its `type` without the date) adds beyond its definition, as
 * Anthropic documents them. Checked 2026-12-01 against:
 * - bash: https://docs.anthropic.com/en/docs/agents-and-tools/tool-use/bash-tool ("adds 245 input tokens");
 * - text_editor: .../text-editor-tool (700 input tokens, every version: _20241022 … _20250728);
 * - computer: .../computer-use-tool (system prompt overhead 466–499 tokens, plus 735 per tool
 *   definition on Claude 4.x and Sonnet 3.7, 683 on Sonnet 3.5): 499 + 735;
 * - memory: .../memory-tool adds a memory protocol to the system prompt and gives no count: counted
 *   at 1,500, above the largest documented figure (computer use's 1,234). An allowance, not a proof.
 * A new version of a family (a new date) counts its family's figure.
 */
export const CLIENT_TOOL_TOKENS_AS_OF = '2026-12-01';
const CLIENT_TOOL_TOKENS: Readonly<Record<string, number>> = {
  bash: 245,
  text_editor: 700,
  computer: 499 + 735,
  memory: 1_500,
};

/**
 * Typed tools that add nothing a budget must bound beyond their bytes: `custom` (a plain tool),
 * `mcp_toolset` (its listings come from `mcp_servers`, refused under a budget on their own).
 */
const PLAIN_TYPES: ReadonlySet<string> = new Set(['custom', 'mcp_toolset']);

const family = (type: string) => type.replace(/_\d{8}$/, '');

/** The tokens Anthropic's prompt for this tool adds (0 for a plain or unknown tool). */
export function clientToolTokens(tool: Tool): number {
  const type = tool.type;
  if (typeof type !== 'string') return 0;
  const f = family(type);
  return Object.hasOwn(CLIENT_TOOL_TOKENS, f) ? CLIENT_TOOL_TOKENS[f]! : 0;
}

/** Whether `type` is one of Anthropic's client tools (bash, text editor, computer use, memory), any date. */
export function isClientToolType(type: string): boolean {
  return Object.hasOwn(CLIENT_TOOL_TOKENS, family(type));
}

/** The index of the first tool whose `type` the gateway does not know (neither plain, client nor server), or -1. */
export function unknownToolType(tools: readonly Tool[] | undefined): number {
  if (!tools) return -1;
  for (let i = 0; i < tools.length; i++) {
    const type = tools[i]!.type;
    if (type === undefined || type === null) continue;
    if (typeof type !== 'string') return i;
    if (PLAIN_TYPES.has(type) || isServerToolType(type)) continue;
    if (isClientToolType(type)) continue;
    return i;
  }
  return -1;
}
