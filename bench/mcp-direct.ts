// The baseline for the tool loop: the same MCP tool called directly with the SDK client over stdio,
// from the bench process, the way an app would without the gateway.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { everythingServer } from '../tests/helpers/wire.js';

export interface DirectTool {
  /** Latency of one `tools/call` in microseconds. */
  call(): Promise<number>;
  close(): Promise<void>;
}

export async function connectDirectTool(tool: string, args: Record<string, unknown>): Promise<DirectTool> {
  const server = everythingServer();
  const transport = new StdioClientTransport({ command: server.command, args: server.args, stderr: 'ignore' });
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
