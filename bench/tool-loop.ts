// The tool loop measurement. Interleaved, iteration by iteration:
//   loop        — gateway request whose first round returns a call to everything__echo; the gateway
//                 runs it over stdio and makes a second round, which answers with text;
//   plainTools  — the same key (tool list injected, same request overhead) but answered in one round;
//   direct      — one round straight to the mock (the cost of an upstream round by itself);
//   directTool  — the echo tool called with the MCP SDK over stdio from the bench process;
//   mcpEndpoint — the same tool called with the MCP SDK through the gateway's /mcp (tools/call);
//   mcpFloor    — the same through the bare /mcp floor (bare-mcp-proxy.ts), when the tree has it.
import type { Endpoint } from './load.js';
import { SequentialSampler } from './load.js';
import type { DirectTool } from './mcp-direct.js';
import { summarize, type Summary } from './stats.js';

export interface ToolLoopInput {
  loop: Endpoint;
  plainTools: Endpoint;
  direct: Endpoint;
  directTool: DirectTool;
  mcpEndpoint: DirectTool;
  mcpFloor?: DirectTool;
  n: number;
  warmup: number;
}

export interface ToolLoopResult {
  loop: Summary;
  plainTools: Summary;
  direct: Summary;
  directTool: Summary;
  mcpEndpoint: Summary;
  mcpFloor?: Summary;
}

export async function measureToolLoop(input: ToolLoopInput): Promise<ToolLoopResult> {
  const sampler = new SequentialSampler();
  const runs: (() => Promise<number>)[] = [
    () => sampler.sample(input.loop),
    () => sampler.sample(input.plainTools),
    () => sampler.sample(input.direct),
    () => input.directTool.call(),
    () => input.mcpEndpoint.call(),
  ];
  const floor = input.mcpFloor;
  if (floor) runs.push(() => floor.call());
  const samples: number[][] = runs.map(() => []);
  try {
    for (let i = 0; i < input.warmup + input.n; i++) {
      for (let j = 0; j < runs.length; j++) {
        const k = (i + j) % runs.length;
        const us = await runs[k]!();
        if (i >= input.warmup) samples[k]!.push(us);
      }
    }
  } finally {
    await sampler.close();
  }
  const [loop, plainTools, direct, directTool, mcpEndpoint, mcpFloor] = samples.map(summarize) as [
    Summary,
    Summary,
    Summary,
    Summary,
    Summary,
    Summary | undefined,
  ];
  return { loop, plainTools, direct, directTool, mcpEndpoint, ...(mcpFloor ? { mcpFloor } : {}) };
}
