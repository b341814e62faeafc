// Names shared by the bench's processes (mock upstream, gateway config, load generator).

/** A user message containing this word gets a tool call from the mock on the first round. */
export const TOOL_MARKER = 'CALL_ECHO';
/** The MCP server name in the gateway config; its `echo` tool is offered as `everything__echo`. */
export const MCP_SERVER = 'everything';
export const TOOL_NAME = `${MCP_SERVER}__echo`;
export const PROVIDER = 'mock';
export const MODEL = 'bench-model';
/** Virtual keys of the gateway under test: one without MCP tools, one allowed `everything__echo`. */
export const VK_PLAIN = 'vk-bench-plain-0123456789';
export const VK_TOOLS = 'vk-bench-tools-0123456789';
