// Prompts, resources, resource templates and completions at /mcp (issue 19, item 1), for a 2025
// client (the 1.x SDK, a session) and a 2026-07-28 client (the 2.x SDK, stateless): aggregated
// under gateway names, governed per key (by default what the key's tools reach), recorded in the
// ledger like tool calls, and resource URIs in results turned into gateway URIs.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startMcpHttpServer, type McpHttpServer } from './fixtures/mcp-http-server.js';
import { README_TEXT } from './fixtures/mcp-fixture-extras.js';
import { TINY_PNG_BASE64 } from './fixtures/mcp-fixture-tools.js';
import { startGateway, type TestGateway } from './helpers/gateway.js';
import { AGENT_KEY, NARROW_KEY, OTHER_KEY, connectModern, connectStreamable, offersConfig } from '../mcp/server/testing.js';

let fixture: McpHttpServer;
let gw: TestGateway;

before(async () => {
  fixture = await startMcpHttpServer({ full: true });
  gw = await startGateway({ config: offersConfig(fixture.url) });
});
after(async () => {
  await gw.close();
  await fixture.close();
});

/** What these tests ask of a client; the 1.x and 2.x SDK clients both have it. */
interface OfferClient {
  listPrompts(): Promise<{ prompts: { name: string }[]; ttlMs?: number; cacheScope?: string }>;
  getPrompt(p: { name: string; arguments?: Record<string, string> }): Promise<{ messages: { content: Record<string, unknown> }[] }>;
  listResources(): Promise<{ resources: { uri: string; name: string }[] }>;
  listResourceTemplates(): Promise<{ resourceTemplates: { uriTemplate: string }[] }>;
  readResource(p: { uri: string }): Promise<{ contents: Record<string, unknown>[] }>;
  complete(p: unknown): Promise<{ completion: { values: string[] } }>;
  callTool(p: { name: string; arguments?: Record<string, unknown> }): Promise<{ content: unknown }>;
}

interface Agent {
  client: OfferClient;
  /** The session id of a 2025 client; null for 2026-07-28 (no sessions). */
  sessionId(): string | null;
  close(): Promise<void>;
}

const eras: Array<[string, (key: string) => Promise<Agent>]> = [
  [
    '2025-11-25 (session)',
    async (key) => {
      const c = await connectStreamable(gw.url, key);
      return { client: c.client as unknown as OfferClient, sessionId: () => c.sessionId() ?? null, close: c.close };
    },
  ],
  [
    '2026-07-28 (stateless)',
    async (key) => {
      const c = await connectModern(gw.url, key);
      assert.equal(c.client.getNegotiatedProtocolVersion(), '2026-07-28');
      return { client: c.client as unknown as OfferClient, sessionId: () => null, close: c.close };
    },
  ],
];

async function rejection(promise: Promise<unknown>): Promise<{ code: number; message: string; data?: { uri?: string } }> {
  try {
    await promise;
  } catch (err) {
    return err as { code: number; message: string; data?: { uri?: string } };
  }
  throw new Error('expected a JSON-RPC error');
}

for (const [era, connect] of eras) {
  describe(`prompts and resources over ${era}`, () => {
    let agent: Agent;
    let narrow: Agent;
    let other: Agent;
    before(async () => {
      [agent, narrow, other] = await Promise.all([connect(AGENT_KEY), connect(NARROW_KEY), connect(OTHER_KEY)]);
    });
    after(() => Promise.all([agent.close(), narrow.close(), other.close()]));

    test('prompts are listed as server__name, per key: by default what its tools reach, else its own list', async () => {
      assert.deepEqual((await agent.client.listPrompts()).prompts.map((p) => p.name).sort(), ['fx__greet', 'fx__readme-summary']);
      assert.deepEqual(
        (await narrow.client.listPrompts()).prompts.map((p) => p.name),
        ['fx__greet'],
      );
      assert.deepEqual((await other.client.listPrompts()).prompts, [], 'a key whose tools reach no fx tool gets no fx prompt');
    });

    test('prompts/get runs the server’s prompt and is recorded; a prompt outside the key’s list is refused and recorded', async () => {
      const got = await agent.client.getPrompt({ name: 'fx__greet', arguments: { name: 'ada' } });
      assert.deepEqual(got.messages[0]?.content, { type: 'text', text: 'Say hello to ada' });
      const refused = await rejection(narrow.client.getPrompt({ name: 'fx__readme-summary' }));
      assert.equal(refused.code, -32602);
      assert.match(refused.message, /fx__readme-summary is not allowed for virtual key narrow/);
      const rows = await gw.query<Record<string, unknown>>(
        "select key_id, session_id, server, tool, name, status, decision, reason, kind, args_hash from tool_calls where kind = 'prompt' and key_id in ('agent', 'narrow') and (session_id = ? or session_id = ? or session_id is null) order by id desc limit 2",
        agent.sessionId() ?? '',
        narrow.sessionId() ?? '',
      );
      assert.deepEqual(
        rows.map(({ args_hash, ...rest }) => ({ ...rest, hashed: typeof args_hash === 'string' })),
        [
          {
            key_id: 'narrow',
            session_id: narrow.sessionId(),
            server: 'fx',
            tool: 'readme-summary',
            name: 'fx__readme-summary',
            status: 'denied',
            decision: 'denied',
            reason: 'prompt_not_allowed',
            kind: 'prompt',
            hashed: true,
          },
          {
            key_id: 'agent',
            session_id: agent.sessionId(),
            server: 'fx',
            tool: 'greet',
            name: 'fx__greet',
            status: 'ok',
            decision: 'allowed',
            reason: null,
            kind: 'prompt',
            hashed: true,
          },
        ],
      );
    });

    test('resource URIs carry their server (server+uri): in lists, templates, reads and embedded resources', async () => {
      assert.deepEqual((await agent.client.listResources()).resources.map((r) => r.uri).sort(), [
        'fx+fx://docs/logo',
        'fx+fx://docs/readme',
      ]);
      assert.deepEqual(
        (await agent.client.listResourceTemplates()).resourceTemplates.map((t) => t.uriTemplate),
        ['fx+fx://notes/{id}'],
      );
      const read = await agent.client.readResource({ uri: 'fx+fx://docs/readme' });
      assert.deepEqual(read.contents, [{ uri: 'fx+fx://docs/readme', mimeType: 'text/markdown', text: README_TEXT }]);
      const blob = await agent.client.readResource({ uri: 'fx+fx://docs/logo' });
      assert.equal(blob.contents[0]?.blob, TINY_PNG_BASE64);
      const fromTemplate = await agent.client.readResource({ uri: 'fx+fx://notes/42' });
      assert.deepEqual(fromTemplate.contents, [{ uri: 'fx+fx://notes/42', mimeType: 'text/plain', text: 'note 42' }]);
      const embedded = await agent.client.getPrompt({ name: 'fx__readme-summary' });
      assert.equal((embedded.messages[0]!.content.resource as { uri: string }).uri, 'fx+fx://docs/readme');
      const linked = (await agent.client.callTool({ name: 'fx__link', arguments: {} })).content as {
        type: string;
        uri?: string;
        resource?: { uri: string };
      }[];
      assert.deepEqual(
        linked.map((b) => b.uri ?? b.resource?.uri),
        ['fx+fx://docs/readme', 'fx+fx://docs/readme'],
      );
    });

    test('resources outside the key’s list are neither listed nor readable; unknown ones are Invalid Params naming the URI', async () => {
      assert.deepEqual(
        (await narrow.client.listResources()).resources.map((r) => r.uri),
        ['fx+fx://docs/readme'],
      );
      assert.deepEqual((await narrow.client.listResourceTemplates()).resourceTemplates, []);
      const denied = await rejection(narrow.client.readResource({ uri: 'fx+fx://docs/logo' }));
      assert.equal(denied.code, -32602);
      assert.match(denied.message, /not allowed for virtual key narrow/);
      const unknown = await rejection(agent.client.readResource({ uri: 'nosuchserver+file:///etc/passwd' }));
      assert.equal(unknown.code, -32602);
      assert.equal(unknown.data?.uri, 'nosuchserver+file:///etc/passwd');
      const missing = await rejection(agent.client.readResource({ uri: 'fx+fx://docs/missing' }));
      assert.equal(missing.code, -32602);
      assert.equal(missing.data?.uri, 'fx+fx://docs/missing');
      assert.deepEqual((await other.client.listResources()).resources, []);
      const rows = await gw.query<{ name: string; status: string; decision: string; reason: string | null }>(
        "select name, status, decision, reason from tool_calls where kind = 'resource' and key_id = 'narrow' order by id desc limit 1",
      );
      assert.deepEqual(rows, [{ name: 'fx+fx://docs/logo', status: 'denied', decision: 'denied', reason: 'resource_not_allowed' }]);
    });

    test('completions come from the server for prompts and templates the key may use; others complete to nothing', async () => {
      const names = await agent.client.complete({ ref: { type: 'ref/prompt', name: 'fx__greet' }, argument: { name: 'name', value: 'a' } });
      assert.deepEqual(names.completion.values, ['ada', 'alan']);
      const ids = await agent.client.complete({
        ref: { type: 'ref/resource', uri: 'fx+fx://notes/{id}' },
        argument: { name: 'id', value: 'b' },
      });
      assert.deepEqual(ids.completion.values, ['beta']);
      const hidden = await other.client.complete({
        ref: { type: 'ref/prompt', name: 'fx__greet' },
        argument: { name: 'name', value: 'a' },
      });
      assert.deepEqual(hidden.completion.values, []);
      const unknown = await agent.client.complete({ ref: { type: 'ref/prompt', name: 'fx__nope' }, argument: { name: 'x', value: '' } });
      assert.deepEqual(unknown.completion.values, []);
    });
  });
}

describe('reporting', () => {
  test('tool_usage_day counts tools only; prompt and resource uses are tool_calls rows of their kind', async () => {
    const agent = await connectStreamable(gw.url, AGENT_KEY);
    try {
      await agent.client.callTool({ name: 'fx__echo', arguments: { text: 'x' } });
      await agent.client.getPrompt({ name: 'fx__greet', arguments: { name: 'x' } });
      await agent.client.readResource({ uri: 'fx+fx://docs/readme' });
    } finally {
      await agent.close();
    }
    const names = (await gw.query<{ name: string }>('select name from tool_usage_day')).map((r) => r.name);
    assert.ok(names.includes('fx__echo'));
    assert.ok(!names.includes('fx__greet') && !names.includes('fx+fx://docs/readme'));
    const kinds = await gw.query<{ kind: string; n: number }>(
      "select kind, count(*) as n from tool_calls where key_id = 'agent' group by kind order by kind",
    );
    assert.deepEqual(
      kinds.map((k) => k.kind),
      ['prompt', 'resource', 'tool'],
    );
  });
});

describe('2026-07-28 list results', () => {
  test('carry caching hints, private to the key', async () => {
    const agent = await connectModern(gw.url, AGENT_KEY);
    try {
      const listed = (await agent.client.listPrompts(undefined, { cacheMode: 'bypass' })) as { ttlMs?: number; cacheScope?: string };
      assert.equal(listed.cacheScope, 'private');
      assert.equal(listed.ttlMs, 30_000);
    } finally {
      await agent.close();
    }
  });
});
