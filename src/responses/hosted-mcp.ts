// Hosted MCP on the Responses surface (pure): `{"type":"mcp","server_label":"docs"}` without a
// server_url names a gateway MCP server. Its tools are the key's tools of that server (already
// filtered by the allow-list and x-tollgate-tools), narrowed by `allowed_tools`, never widened.
// `require_approval` decides which of them end the response with an mcp_approval_request instead
// of running; like OpenAI, a tool without a setting needs approval
// (https://platform.openai.com/docs/guides/tools-connectors-mcp#approvals).
import { invalidRequest } from '../errors.js';
import type { ToolEntry } from '../chat/ports.js';
import type { ApprovalSetting, McpListToolsItem, McpToolDef } from '../wire/responses/types.js';
import type { Matcher } from '../governance/glob.js';

export interface HostedTool {
  entry: ToolEntry;
  serverLabel: string;
  needsApproval: boolean;
}

export interface HostedMcp {
  /** What the model is offered: the key's tools, with hosted servers narrowed to their allowed_tools. */
  offered: readonly ToolEntry[];
  /** Gateway tool name → its hosted server, for tools the client sees as mcp_call items. */
  hosted: ReadonlyMap<string, HostedTool>;
  /** One listing per hosted server, in request order. */
  listings: McpListToolsItem[];
}

export interface HostedOptions {
  /** Configured gateway MCP servers. */
  servers: ReadonlySet<string>;
  /** Tools the operator says need approval (key config `approval`), whatever the request says. */
  operatorApproval: Matcher;
  newId(prefix: string): string;
}

export function resolveHostedMcp(tools: readonly McpToolDef[], keyTools: readonly ToolEntry[], opts: HostedOptions): HostedMcp {
  if (!tools.length) return { offered: keyTools, hosted: new Map(), listings: [] };
  const hosted = new Map<string, HostedTool>();
  const listings: McpListToolsItem[] = [];
  const narrowedServers = new Set<string>();
  for (const [i, def] of tools.entries()) {
    if (def.server_url !== undefined || def.connector_id !== undefined)
      throw invalidRequest(
        `tools[${i}]: an mcp tool with server_url or connector_id needs a native Responses upstream; the gateway connects only to MCP servers its operator configured`,
        `tools[${i}]`,
        'untranslatable_field',
      );
    if (!opts.servers.has(def.server_label))
      throw invalidRequest(
        `tools[${i}].server_label: "${def.server_label}" is not an MCP server configured on this gateway`,
        `tools[${i}].server_label`,
        'mcp_server_not_configured',
      );
    const allowed = allowedNames(def.allowed_tools);
    narrowedServers.add(def.server_label);
    const entries = keyTools.filter((t) => t.server === def.server_label && (!allowed || allowed.has(t.tool)));
    for (const entry of entries)
      hosted.set(entry.name, {
        entry,
        serverLabel: def.server_label,
        needsApproval: needsApproval(def.require_approval, entry.tool) || opts.operatorApproval(entry.name),
      });
    listings.push({
      type: 'mcp_list_tools',
      id: opts.newId('mcpl'),
      server_label: def.server_label,
      tools: entries.map((e) => ({
        name: e.tool,
        description: e.openai.function.description ?? null,
        input_schema: e.openai.function.parameters ?? { type: 'object' },
        annotations: null,
      })),
    });
  }
  const offered = keyTools.filter((t) => !narrowedServers.has(t.server) || hosted.has(t.name));
  return { offered, hosted, listings };
}

function allowedNames(allowed: McpToolDef['allowed_tools']): ReadonlySet<string> | undefined {
  if (!allowed) return undefined;
  if (Array.isArray(allowed)) return new Set(allowed);
  return allowed.tool_names ? new Set(allowed.tool_names) : undefined;
}

/** OpenAI's rule: "never" lists are exempt, "always" lists need approval, the rest follow the default ("always"). */
export function needsApproval(setting: ApprovalSetting | null | undefined, tool: string): boolean {
  if (setting === 'never') return false;
  if (setting === 'always' || setting === null || setting === undefined) return true;
  if (setting.always?.tool_names?.includes(tool)) return true;
  if (setting.never?.tool_names?.includes(tool)) return false;
  // A filter naming only some tools: the others keep the default.
  return true;
}
