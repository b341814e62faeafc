// What a Messages request may not send under a budget (key, team or customer): inputs the upstream
// fetches or reads and bills, whose size the body does not hold, so no reservation can bound them
// (governance/remote-input.ts says why; chat's and Responses' own checks are
// governance/chat-file-ids.ts and responses/stored-input.ts).
import { remoteInputUnderBudget, storedInputUnderBudget, USE_GATEWAY_MCP } from '../governance/remote-input.js';
import type { MessagesRequest } from '../wire/messages/types.js';
import { unknownToolType } from '../wire/messages/client-tools.js';
import { toolTypeUnknown } from '../governance/hosted-tools.js';

/** A typed tool the gateway does not know, passed through under a budget: governance/hosted-tools.ts. */
export function refuseUnknownToolTypes(body: MessagesRequest): void {
  const i = unknownToolType(body.tools);
  if (i !== -1) throw toolTypeUnknown(String(body.tools![i]!.type), `tools[${i}]`);
}

/** `mcp_servers` (Anthropic's MCP connector; its `mcp_toolset` tools need them) under a budget: governance/remote-input.ts. */
export function refuseMcpConnector(body: MessagesRequest): void {
  const servers = body.mcp_servers;
  if (servers === undefined || servers === null || (Array.isArray(servers) && servers.length === 0)) return;
  throw remoteInputUnderBudget('mcp_servers', "Anthropic's MCP connector (mcp_servers)", USE_GATEWAY_MCP);
}

/** A `document` block whose source the upstream fetches (`url`) or reads from its store (`file`), under a budget. */
export function refuseDocumentReferences(messages: readonly { content: unknown }[]): void {
  for (let i = 0; i < messages.length; i++) findDocuments(messages[i]!.content, `messages[${i}].content`);
}

function findDocuments(value: unknown, param: string): void {
  if (value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) findDocuments(value[i], `${param}[${i}]`);
    return;
  }
  const o = value as { type?: unknown; source?: { type?: unknown } | null; content?: unknown };
  if (o.type === 'document') {
    const source = o.source?.type;
    if (source === 'url') throw remoteInputUnderBudget(`${param}.source`, 'a document by URL', 'send its data (a base64 source) instead');
    if (source === 'file')
      throw storedInputUnderBudget(`${param}.source`, 'a document by file id', 'send its data (a base64 source) instead');
  }
  if (o.content !== undefined) findDocuments(o.content, `${param}.content`);
}
