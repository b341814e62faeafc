// A key's `resources` rules at /mcp are globs on gateway URIs, but an MCP server reads the URI it is
// sent as a URL: the MCP SDK's McpServer (the fixture here) looks a resource up by
// `new URL(uri).toString()`, which resolves dot segments (also `%2e`), lower-cases the scheme and
// drops tabs and newlines. Before, a key allowed `fx+fx://docs/public/*` read
// `fx+fx://docs/public/../readme`, and one denied `fx+fx://docs/readme` read it as
// `fx+FX://docs/readme` or `fx+fx://docs/./readme`: the rule matched one text, the server read
// another. Now a URI is decided as sent and as its server reads it; honest reads are unchanged.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startMcpHttpServer, type McpHttpServer } from '../fixtures/mcp-http-server.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { connectStreamable, type Connected } from '../../mcp/server/testing.js';

const PUBLIC_KEY = 'vk-uri-public-0001';
const DENY_KEY = 'vk-uri-deny-0001';
let fixture: McpHttpServer;
let gw: TestGateway;
let publicOnly: Connected;
let allButReadme: Connected;

before(async () => {
  fixture = await startMcpHttpServer({ full: true });
  gw = await startGateway({
    config: {
      mcpServers: { fx: { transport: 'http', url: fixture.url, callTimeoutMs: 5_000, pin: 'off' } },
      virtualKeys: [
        { id: 'public', key: PUBLIC_KEY, tools: { allow: ['fx__echo'] }, resources: { allow: ['fx+fx://docs/public/*'] } },
        { id: 'deny', key: DENY_KEY, tools: { allow: ['fx__echo'] }, resources: { allow: ['fx+*'], deny: ['fx+fx://docs/readme'] } },
      ],
      requireVirtualKey: true,
    },
  });
  [publicOnly, allButReadme] = await Promise.all([connectStreamable(gw.url, PUBLIC_KEY), connectStreamable(gw.url, DENY_KEY)]);
});
after(async () => {
  await Promise.all([publicOnly.close(), allButReadme.close()]);
  await gw.close();
  await fixture.close();
});

/** The JSON-RPC error of a read, or what it read when it was not refused. */
async function read(c: Connected, uri: string): Promise<{ code: number; message: string } | { text: unknown }> {
  try {
    const result = await c.client.readResource({ uri });
    return { text: (result.contents[0] as { text?: unknown; blob?: unknown }).text ?? 'blob' };
  } catch (err) {
    return { code: (err as { code: number }).code, message: (err as Error).message };
  }
}

describe('resource URIs are decided as the server reads them', () => {
  test('dot segments cannot leave an allowed path', async () => {
    for (const uri of ['fx+fx://docs/public/../readme', 'fx+fx://docs/public/%2e%2e/readme', 'fx+fx://docs/public/.%2E/readme']) {
      const answer = await read(publicOnly, uri);
      assert.ok('code' in answer, `${uri} read ${JSON.stringify(answer)}`);
      assert.equal(answer.code, -32602);
      assert.match(answer.message, /not allowed .*reads it as fx\+fx:\/\/docs\/readme/);
    }
  });

  test('a denied URI is not read under another spelling of it; honest reads, listings and templates are unchanged', async () => {
    for (const uri of ['fx+FX://docs/readme', 'fx+fx://docs/./readme', 'fx+fx://docs/x/../readme', 'fx+fx://docs/read\tme']) {
      const answer = await read(allButReadme, uri);
      assert.ok('code' in answer, `${JSON.stringify(uri)} read ${JSON.stringify(answer)}`);
      assert.equal(answer.code, -32602);
    }
    assert.deepEqual(await read(allButReadme, 'fx+fx://docs/readme'), {
      code: -32602,
      message: 'MCP error -32602: resource fx+fx://docs/readme is not allowed for virtual key deny',
    });
    assert.deepEqual(await read(allButReadme, 'fx+fx://docs/logo'), { text: 'blob' });
    assert.deepEqual(await read(allButReadme, 'fx+fx://notes/7'), { text: 'note 7' });
    const listed = await allButReadme.client.listResources();
    assert.deepEqual(
      listed.resources.map((r) => r.uri),
      ['fx+fx://docs/logo'],
    );
    const templates = await allButReadme.client.listResourceTemplates();
    assert.deepEqual(
      templates.resourceTemplates.map((t) => t.uriTemplate),
      ['fx+fx://notes/{id}'],
      'a template is decided on its text, braces and all',
    );
    const completion = await allButReadme.client.complete({
      ref: { type: 'ref/resource', uri: 'fx+fx://notes/{id}' },
      argument: { name: 'id', value: 'a' },
    });
    assert.deepEqual(completion.completion.values, ['alpha']);
  });

  test('each refusal is in the ledger as a denial', async () => {
    const rows = await gw.query<{ name: string; status: string; reason: string }>(
      "SELECT name, status, reason FROM tool_calls WHERE kind = 'resource' AND name LIKE '%readme' ORDER BY ts",
    );
    assert.ok(rows.length >= 7, `${rows.length} rows`);
    for (const r of rows) assert.deepEqual([r.status, r.reason], ['denied', 'resource_not_allowed'], r.name);
  });
});
