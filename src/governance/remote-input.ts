// Content an upstream fetches from a server the client names cannot be held by a budget: a file by
// URL (a Responses input_file's file_url, a Messages document's url source) is billed as its pages
// and text, which the request holds only the address of. MCP servers
// the upstream connects to itself — a Responses `mcp` tool with a `server_url` or a `connector_id`,
// Anthropic's MCP connector (`mcp_servers`) — have their tool listings and results billed as input
// tokens, and neither their size nor how often the model calls them is bounded by the request's
// bytes or by anything the gateway sends (the server, which the client may run itself, answers what
// it likes; OpenAI bills them as tokens, with no per-call fee a table could price). Like input the
// upstream fetches from its own store (responses/stored-input.ts), such a request is refused under a
// budget before anything is sent; without one it goes upstream as sent. The key's tool allow-list is
// not asked: it governs the gateway's tools, and these run between the upstream and a server the
// client names, as the client's own function tools run on its side (README, "Budgets").
import { GatewayError } from '../errors.js';

/** `what` (e.g. "an mcp tool with a server_url") at `param`; `instead`: what the client can send instead. */
export function remoteInputUnderBudget(param: string, what: string, instead: string): GatewayError {
  return new GatewayError({
    status: 400,
    type: 'invalid_request_error',
    code: 'remote_input_under_budget',
    param,
    message:
      `${param}: ${what} makes the upstream fetch content from a server the client names and bill it as input, ` +
      `which the gateway cannot bound, so a budget cannot hold it: ${instead}, or use a key without a budget`,
  });
}

/**
 * Input the upstream reads from its own store (a file or document by id, a stored prompt, a
 * conversation, an item_reference) at `param`: the same refusal on every surface.
 */
export function storedInputUnderBudget(param: string, what: string, instead: string): GatewayError {
  return new GatewayError({
    status: 400,
    type: 'invalid_request_error',
    code: 'stored_input_under_budget',
    param,
    message: `${param}: ${what} makes the upstream bill content it stores, whose size the gateway cannot bound, so a budget cannot hold it: ${instead}`,
  });
}

/** The advice for an MCP server the upstream would call. */
export const USE_GATEWAY_MCP = "use the gateway's own MCP servers instead";
