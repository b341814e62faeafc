// Helpers shared by the /mcp endpoint tests (not a test file itself): a gateway config around the
// HTTP fixture server, and SDK clients over both transports carrying a virtual key.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult, ClientCapabilities } from '@modelcontextprotocol/sdk/types.js';
import { Client as ModernClient, StreamableHTTPClientTransport as ModernTransport } from '@modelcontextprotocol/client';

export const AGENT_KEY = 'vk-mcp-agent-0001';
export const NARROW_KEY = 'vk-mcp-narrow-0001';
export const PAID_KEY = 'vk-mcp-paid-0001';

/**
 * Keys: `agent` may use every fixture tool except fx__slow; `narrow` only fx__echo, once a minute;
 * `paid` only fx__add, which costs more than half its budget.
 */
export function endpointConfig(fixtureUrl: string): Record<string, unknown> {
  return {
    mcpServers: { fx: { transport: 'http', url: fixtureUrl, callTimeoutMs: 5_000 } },
    toolCosts: { fx__add: 0.001 },
    virtualKeys: [
      { id: 'agent', key: AGENT_KEY, tools: { allow: ['fx__*'], deny: ['fx__slow'] } },
      { id: 'narrow', key: NARROW_KEY, tools: { allow: ['fx__echo'] }, toolLimits: [{ tool: 'fx__echo', calls: 1, window: '1m' }] },
      { id: 'paid', key: PAID_KEY, tools: { allow: ['fx__add'] }, budget: { usd: 0.0015, period: 'month' } },
    ],
    requireVirtualKey: true,
  };
}

export const OTHER_KEY = 'vk-mcp-other-0001';

/**
 * Around the full fixture (fixture tools, prompts, resources): `agent` lists no prompts or
 * resources, so it gets the fx server's by default (its tools reach fx); `narrow` names exactly one
 * prompt and one resource; `other` reaches another server only, so none of fx's.
 */
export function offersConfig(fixtureUrl: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    mcpServers: { fx: { transport: 'http', url: fixtureUrl, callTimeoutMs: 5_000, pin: 'off' } },
    virtualKeys: [
      { id: 'agent', key: AGENT_KEY, tools: { allow: ['fx__*'], deny: ['fx__slow'] } },
      {
        id: 'narrow',
        key: NARROW_KEY,
        tools: { allow: ['fx__echo', 'fx__link'] },
        prompts: { allow: ['fx__greet'] },
        resources: { allow: ['fx+fx://docs/readme'] },
      },
      { id: 'other', key: OTHER_KEY, tools: { allow: ['other__*'] } },
    ],
    requireVirtualKey: true,
    ...extra,
  };
}

export type Connected = { client: Client; close(): Promise<void>; sessionId(): string | undefined };

export async function connectStreamable(
  gatewayUrl: string,
  key: string,
  capabilities: ClientCapabilities = {},
): Promise<Connected & { transport: StreamableHTTPClientTransport; notificationStreamOpen(): boolean; postAnswers: string[] }> {
  const client = new Client({ name: 'tollgate-test-agent', version: '1.0.0' }, { capabilities });
  // The client opens its notification stream (a GET) on its own after initialize; tests that expect
  // a server-initiated message wait for it through this flag rather than sleeping.
  let streamOpen = false;
  // The content type of each POST's answer (JSON or SSE), for tests of how calls are answered.
  const postAnswers: string[] = [];
  const watchingFetch: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    if ((init?.method ?? 'GET') === 'GET' && response.ok) streamOpen = true;
    if (init?.method === 'POST' && response.status === 200) postAnswers.push(response.headers.get('content-type') ?? '');
    return response;
  };
  const transport = new StreamableHTTPClientTransport(new URL(`${gatewayUrl}/mcp`), {
    requestInit: { headers: { 'x-bf-vk': key } },
    fetch: watchingFetch,
  });
  await client.connect(transport);
  return {
    client,
    transport,
    close: () => client.close(),
    sessionId: () => transport.sessionId,
    notificationStreamOpen: () => streamOpen,
    postAnswers,
  };
}

export async function connectSse(gatewayUrl: string, key: string): Promise<Connected> {
  const client = new Client({ name: 'tollgate-test-legacy-agent', version: '1.0.0' });
  // The Authorization form of the key, as older clients configure it.
  const transport = new SSEClientTransport(new URL(`${gatewayUrl}/mcp/sse`), {
    requestInit: { headers: { authorization: `Bearer ${key}` } },
  });
  await client.connect(transport);
  // The session id is the one the server put in the endpoint URL it announced.
  const endpoint = () => (transport as unknown as { _endpoint?: URL })._endpoint;
  return { client, close: () => client.close(), sessionId: () => endpoint()?.searchParams.get('sessionId') ?? undefined };
}

/**
 * A 2026-07-28 client (the 2.x SDK, negotiating: it probes with server/discover and speaks the
 * newest revision the gateway offers). `capabilities` as a client declares them.
 */
export async function connectModern(
  gatewayUrl: string,
  key: string,
  capabilities: ConstructorParameters<typeof ModernClient>[1] = {},
): Promise<{ client: ModernClient; close(): Promise<void> }> {
  const client = new ModernClient(
    { name: 'tollgate-test-modern-agent', version: '2.0.0' },
    { versionNegotiation: { mode: 'auto' }, ...capabilities },
  );
  await client.connect(new ModernTransport(new URL(`${gatewayUrl}/mcp`), { requestInit: { headers: { 'x-bf-vk': key } } }));
  return { client, close: () => client.close() };
}

/** The text of a result's first content block. */
export function textOf(result: unknown): string {
  const first = (result as CallToolResult).content[0];
  return first?.type === 'text' ? first.text : '';
}

/** The gateway's reason code in a refusal or failure result. */
export function reasonOf(result: unknown): string | undefined {
  try {
    return (JSON.parse(textOf(result)) as { error?: { reason?: string } }).error?.reason;
  } catch {
    return undefined;
  }
}

/** `promise`, or a failure naming `what` if it has not settled within `timeoutMs`. */
export async function within<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}
