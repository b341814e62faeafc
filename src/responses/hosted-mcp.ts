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
import { isUpstreamMcp } from '../wire/responses/hosted-tools.js';

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
    if (isUpstreamMcp(def))
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
    narrowedServers.add(def.server_label);
    const entries = keyTools.filter((t) => t.server === def.server_label && allowedBy(def.allowed_tools, t));
    for (const entry of entries)
      hosted.set(entry.name, {
        entry,
        serverLabel: def.server_label,
        needsApproval: needsApproval(def.require_approval, entry) || opts.operatorApproval(entry.name),
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

type ToolFilter = { tool_names?: string[]; read_only?: boolean };
/** A tool entry; the MCP manager's carry the tool as its server listed it (mcp/tool-catalog.ts). */
type Named = Pick<ToolEntry, 'tool'> & { definition?: { annotations?: { readOnlyHint?: boolean } } };

/** Whether the server annotates the tool read-only (MCP `readOnlyHint`; absent: it may write). */
const readOnly = (t: Named) => t.definition?.annotations?.readOnlyHint === true;

/** OpenAI's MCP tool filter: every condition it sets holds (its name is listed; it is read-only, or not, as `read_only` says). */
function matches(filter: ToolFilter, t: Named): boolean {
  return (!filter.tool_names || filter.tool_names.includes(t.tool)) && (filter.read_only === undefined || filter.read_only === readOnly(t));
}

/** Whether a filter sets any condition: one that sets none names no tool. */
const setsCondition = (f: ToolFilter | undefined): f is ToolFilter =>
  f !== undefined && (f.tool_names !== undefined || f.read_only !== undefined);

/** `allowed_tools`: a list of names or a filter; absent, every tool. `read_only: true` keeps only read-only tools. */
function allowedBy(allowed: McpToolDef['allowed_tools'], t: Named): boolean {
  if (!allowed) return true;
  return Array.isArray(allowed) ? allowed.includes(t.tool) : matches(allowed, t);
}

/**
 * OpenAI's rule: "never" lists are exempt, "always" lists need approval, the rest follow the default
 * ("always"). A filter that sets no condition names no tool.
 */
export function needsApproval(setting: ApprovalSetting | null | undefined, t: Named): boolean {
  if (setting === 'never') return false;
  if (setting === 'always' || setting === null || setting === undefined) return true;
  if (setsCondition(setting.always) && matches(setting.always, t)) return true;
  if (setsCondition(setting.never) && matches(setting.never, t)) return false;
  // A filter naming only some tools: the others keep the default.
  return true;
}
