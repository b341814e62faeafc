// The baseline for the tool loop: the same MCP tool called directly with the SDK client over stdio,
// from the bench process, the way an app would without the gateway; and the same tool called with
// the SDK through the gateway's own MCP server (/mcp, streamable HTTP), the way an agent would.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { everythingServer } from '../tests/helpers/wire.js';

export interface DirectTool {
  /** Latency of one `tools/call` in microseconds. */
  call(): Promise<number>;
  close(): Promise<void>;
}

export async function connectDirectTool(tool: string, args: Record<string, unknown>): Promise<DirectTool> {
  const server = everythingServer();
  const transport = new StdioClientTransport({ command: server.command, args: server.args, stderr: 'ignore' });
  return timedCalls(transport, tool, args);
}

/** `tools/call` through the gateway's /mcp endpoint with a virtual key (tool named `server__tool`). */
export async function connectGatewayMcpTool(
  gatewayUrl: string,
  key: string,
  tool: string,
  args: Record<string, unknown>,
): Promise<DirectTool> {
  const transport = new StreamableHTTPClientTransport(new URL(`${gatewayUrl}/mcp`), {
    requestInit: { headers: { authorization: `Bearer ${key}` } },
  });
  return timedCalls(transport, tool, args);
}

/** `tools/call` through the bare /mcp floor (bare-mcp-proxy.ts), which serves the stdio server's own tool names. */
export function connectBareMcpTool(floorUrl: string, tool: string, args: Record<string, unknown>): Promise<DirectTool> {
  return timedCalls(new StreamableHTTPClientTransport(new URL(`${floorUrl}/mcp`)), tool, args);
}

async function timedCalls(
  transport: StdioClientTransport | StreamableHTTPClientTransport,
  tool: string,
  args: Record<string, unknown>,
): Promise<DirectTool> {
  const client = new Client({ name: 'tollgate-bench', version: '0.0.0' }, { capabilities: {} });
  await client.connect(transport);
  return {
    async call() {
      const t0 = process.hrtime.bigint();
      const result = await client.callTool({ name: tool, arguments: args });
      const us = Number(process.hrtime.bigint() - t0) / 1000;
      if (result.isError) throw new Error(`direct ${tool} failed: ${JSON.stringify(result.content)}`);
      return us;
    },
    close: () => client.close(),
  };
}
