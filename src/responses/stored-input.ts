// Input a native Responses upstream fetches from its own store, which a budget cannot hold: a
// `conversation` (every item of it), a stored `prompt` and an `input_file` by `file_id` are
// billed as this call's input, but the request's bytes do not bound them and the gateway does not know their size, so no reservation is an upper bound
// (the same reason a model without a price is refused under a budget). previous_response_id is
// bounded instead (responses the gateway stored for the key carry their size: native-codec.ts), and
// so is an item sent by id (an item_reference, reasoning without its encrypted_content…): the
// gateway recorded its size when it showed it, and refuses it under a budget when it did not
// (owned-input.ts). Without a budget they go upstream as sent (an item only the key's own, a
// conversation never: owned-input.ts). So are files it fetches by URL and MCP servers it
// calls itself (governance/remote-input.ts).
import { remoteInputUnderBudget, storedInputUnderBudget, USE_GATEWAY_MCP } from '../governance/remote-input.js';
import { mayName } from '../wire/may-name.js';
import type { ResponsesRequest } from '../wire/responses/types.js';
import { unknownToolTypeAt } from '../wire/responses/hosted-tools.js';
import { toolTypeUnknown } from '../governance/hosted-tools.js';

export function refuseStoredInputUnderBudget(req: ResponsesRequest, budgeted: boolean, text: string): void {
  if (!budgeted) return;
  const conversation = (req as { conversation?: unknown }).conversation;
  if (conversation !== undefined && conversation !== null) throw refused('conversation', 'a conversation');
  const prompt = (req as { prompt?: unknown }).prompt;
  if (prompt !== undefined && prompt !== null) throw refused('prompt', 'a stored prompt');
  // A file by id (the upstream's store) or by URL (fetched): its pages and text are billed as input.
  refuseFilesUnderBudget(req, budgeted, text);
}

/** A translated run (no native upstream) bills a file by id as the chat file part it becomes: the same walk. */
export function refuseFilesUnderBudget(req: ResponsesRequest, budgeted: boolean, text: string): void {
  if (budgeted && Array.isArray(req.input) && mayName(text, 'input_file')) refuseFileReferences(req.input, 'input');
}

function refuseFileReferences(value: unknown, param: string): void {
  if (value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) refuseFileReferences(value[i], `${param}[${i}]`);
    return;
  }
  const o = value as Record<string, unknown>;
  if (o.type === 'input_file') {
    if (o.file_id !== undefined && o.file_id !== null) throw refused(param, 'an input_file by file_id');
    if (o.file_url !== undefined && o.file_url !== null)
      throw remoteInputUnderBudget(param, 'an input_file by file_url', "send the file's data (file_data) instead");
  }
  for (const key in o) refuseFileReferences(o[key], `${param}.${key}`);
}

/** An `mcp` tool the upstream connects to itself (a server_url or a connector_id), under a budget: governance/remote-input.ts. */
export function refuseRemoteMcpUnderBudget(req: ResponsesRequest, budgeted: boolean): void {
  if (!budgeted || !req.tools) return;
  for (let i = 0; i < req.tools.length; i++) {
    const tool = req.tools[i] as { type?: unknown; server_url?: unknown; connector_id?: unknown };
    if (tool.type !== 'mcp') continue;
    if (tool.server_url !== undefined) throw remoteInputUnderBudget(`tools[${i}]`, 'an mcp tool with a server_url', USE_GATEWAY_MCP);
    if (tool.connector_id !== undefined) throw remoteInputUnderBudget(`tools[${i}]`, 'an mcp tool with a connector_id', USE_GATEWAY_MCP);
  }
}

/** A tool type the gateway does not know, under a budget: governance/hosted-tools.ts (toolTypeUnknown). */
export function refuseUnknownToolsUnderBudget(req: ResponsesRequest, budgeted: boolean): void {
  if (!budgeted) return;
  const i = unknownToolTypeAt(req.tools);
  if (i !== -1) throw toolTypeUnknown(String((req.tools![i] as { type?: unknown }).type), `tools[${i}]`);
}

/** The advice for input from the upstream's store on Responses. */
const refused = (param: string, what: string) =>
  storedInputUnderBudget(param, what, 'send the items themselves (or continue with previous_response_id)');
