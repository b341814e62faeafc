// The MCP client side's public surface.
export { McpManager } from './manager.js';
export type {
  CallToolOptions,
  McpManagerOptions,
  McpServerStatus,
  McpToolEntry,
  ToolCallOutcome,
  ToolCallStatus,
  McpLogger,
} from './manager.js';
export { connectServer, childEnvironment, shouldFallBackToSse } from './connect.js';
export type { ConnectedServer, ConnectOptions, TransportKind } from './connect.js';
export { toolName, buildNameTable, sanitizeName, shortHash, MAX_TOOL_NAME_LENGTH } from './tool-names.js';
export type { ToolRef } from './tool-names.js';
export { toOpenAiTool, toToolMessage, toolErrorResult, contentBlockText, EMPTY_PARAMETERS } from './mapping.js';
export type { ToolMessageContent, ToolErrorReason } from './mapping.js';
export { compileArguments, parseArguments } from './arguments.js';
export type { ArgumentValidator, ArgumentsResult } from './arguments.js';
