// A test's loopback stack in one call: the mock upstream (its two providers in the config), the MCP
// HTTP fixture when the test asks for it (offered as server `fix`), and the gateway over them.
// stop() closes what started, the gateway first. When a part fails to start, the parts already
// started are closed before the error is thrown: a failed before() leaves no server behind.
import { type FixtureTool, startMcpHttpServer, type McpHttpServer, type McpHttpServerOptions } from '../fixtures/mcp-http-server.js';
import { startMockUpstream, type MockUpstream } from '../mock-upstream/server.js';
import { mockProviders, startGateway, type StartOptions, type TestGateway } from './gateway.js';

export interface StackOptions extends Omit<StartOptions, 'config'> {
  /** Fields on both mock providers (mockProviders' `extra`): `{ maxRetries: 0 }`, `headers`… */
  providers?: Record<string, unknown>;
  /**
   * Start the MCP HTTP fixture (`fixture`: its options) and offer it as server `fix` (or `as`), with
   * `server`'s settings added to its entry and `tools` added to (or replacing) its own before the
   * gateway first lists them.
   */
  mcp?: true | { fixture?: McpHttpServerOptions; as?: string; server?: Record<string, unknown>; tools?: Record<string, FixtureTool> };
  /**
   * The rest of the config (virtualKeys, pricing, limits…); its own `providers` or `mcpServers`
   * replace the stack's. A function when it needs the parts (a URL of the fixture's, say).
   */
  config?: Record<string, unknown> | ((parts: { mock: MockUpstream; fixture: McpHttpServer | undefined }) => Record<string, unknown>);
}

export interface Stack {
  mock: MockUpstream;
  fixture?: McpHttpServer | undefined;
  gw: TestGateway;
  stop(): Promise<void>;
}

export function startStack(opts: StackOptions & { mcp: NonNullable<StackOptions['mcp']> }): Promise<Stack & { fixture: McpHttpServer }>;
export function startStack(opts?: StackOptions): Promise<Stack>;
export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  const { providers, mcp, config = {}, ...start } = opts;
  const started: { close(): Promise<void> }[] = [];
  const stop = async () => {
    while (started.length) await started.pop()!.close();
  };
  try {
    const mock = await startMockUpstream();
    started.push(mock);
    const fixture = mcp ? await startMcpHttpServer(mcp === true ? {} : mcp.fixture) : undefined;
    if (fixture) started.push(fixture);
    const { as = 'fix', server = {}, tools = {} } = mcp === true || !mcp ? {} : mcp;
    for (const [name, tool] of Object.entries(tools)) fixture!.setTool(name, tool);
    const gw = await startGateway({
      ...start,
      config: {
        providers: mockProviders(mock, providers),
        ...(fixture ? { mcpServers: { [as]: { transport: 'http', url: fixture.url, ...server } } } : {}),
        ...(typeof config === 'function' ? config({ mock, fixture }) : config),
      },
    });
    started.push(gw);
    return { mock, fixture, gw, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
