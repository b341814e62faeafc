// An /mcp session (Mcp-Session-Id) is opened once and may stay for hours (README, Guarantees:
// Isolation). A key deleted, disabled or narrowed through the admin API must lose on the open session
// what it lost: each POST admits the key again, so a deleted key's tools/list and tools/call are
// refused 401 (recorded) and a narrowed one's list and calls follow its rules at once. The session
// is told too: a narrowed key's session gets notifications/tools/list_changed; a deleted or disabled
// key's sessions are closed (their notification streams end, nothing more reaches them).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import type { TestGateway } from '../helpers/gateway.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { waitFor } from '../helpers/wait-for.js';
import { connectModern, connectStreamable, reasonOf, within } from '../../mcp/server/testing.js';

const ADMIN = 'admin-token-revocation-mcp';
const README = 'fix+fx://docs/readme';
let gw: TestGateway;
let fixture: NonNullable<Stack['fixture']>;
let stop: Stack['stop'] | undefined;

before(async () => {
  ({ gw, fixture, stop } = await startStack({ adminToken: ADMIN, mcp: { fixture: { full: true } }, config: { virtualKeys: [] } }));
});
after(() => stop?.());

const admin = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(`${gw.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  assert.ok(res.status === 200 || res.status === 201, `${method} ${path}: ${res.status} ${text}`);
  return JSON.parse(text) as { key?: string };
};

async function session(id: string) {
  const { key } = await admin('POST', '/api/virtual-keys', { id, tools: { allow: ['fix__*'] } });
  const s = await connectStreamable(gw.url, key!);
  let changed = 0;
  s.client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
    changed++;
  });
  await waitFor(() => s.notificationStreamOpen(), 5_000, 'the notification stream');
  return { s, changes: () => changed };
}

const names = async (s: Awaited<ReturnType<typeof session>>['s']) => (await s.client.listTools()).tools.map((t) => t.name);

describe('an open /mcp session after its key changed', () => {
  test('tool allow-list narrowed: list_changed, the tool gone from the list, its call refused', { timeout: 30_000 }, async () => {
    const { s, changes } = await session('mcp-narrowed');
    try {
      assert.ok((await names(s)).includes('fix__echo'));
      await admin('PATCH', '/api/virtual-keys/mcp-narrowed', { tools: { allow: ['fix__add'] } });
      await waitFor(() => changes() > 0, 5_000, 'notifications/tools/list_changed');
      assert.deepEqual(await names(s), ['fix__add']);
      const refused = await s.client.callTool({ name: 'fix__echo', arguments: { text: 'x' } });
      assert.equal(reasonOf(refused), 'tool_not_allowed', JSON.stringify(refused));
    } finally {
      await s.close();
    }
  });

  test('deleted: tools/list and tools/call refused 401, the session closed', { timeout: 30_000 }, async () => {
    const { s } = await session('mcp-deleted');
    const id = s.sessionId()!;
    try {
      assert.ok(gw.gateway.mcpEndpoint.sessions.get(id), 'the session is open');
      await admin('DELETE', '/api/virtual-keys/mcp-deleted');
      await waitFor(() => gw.gateway.mcpEndpoint.sessions.get(id) === undefined, 5_000, 'the session closed');
      await assert.rejects(s.client.listTools(), /401|virtual key not found/);
      await assert.rejects(s.client.callTool({ name: 'fix__echo', arguments: { text: 'x' } }), /401|virtual key not found/);
      // A deleted key is an unknown one: refused as a new client with an unknown key is, before its
      // body is read, and without a row (nothing names a key; README: Errors).
    } finally {
      await s.close().catch(() => undefined);
    }
  });

  test('disabled: the session closed, its tool calls refused 403 and recorded under the key', { timeout: 30_000 }, async () => {
    const { s } = await session('mcp-disabled');
    const id = s.sessionId()!;
    try {
      await admin('PATCH', '/api/virtual-keys/mcp-disabled', { disabled: true });
      await waitFor(() => gw.gateway.mcpEndpoint.sessions.get(id) === undefined, 5_000, 'the session closed');
      await assert.rejects(s.client.callTool({ name: 'fix__echo', arguments: { text: 'x' } }), /403|disabled/);
      const rows = await gw.query<{ status: number; error_type: string }>(
        "SELECT status, error_type FROM requests WHERE key_id = 'mcp-disabled' AND surface = 'mcp' AND status <> 200",
      );
      assert.deepEqual(
        rows.map((r) => [r.status, r.error_type]),
        [[403, 'virtual_key_blocked']],
      );
    } finally {
      await s.close().catch(() => undefined);
    }
  });

  test('2026-07-28: a narrowed key’s listen stream hears tools/list_changed; a deleted key’s streams end', {
    timeout: 30_000,
  }, async () => {
    const { key } = await admin('POST', '/api/virtual-keys', { id: 'mcp-modern', tools: { allow: ['fix__*'] } });
    const modern = await connectModern(gw.url, key!);
    let changed = 0;
    modern.client.setNotificationHandler('notifications/tools/list_changed', () => void changed++);
    try {
      await modern.client.listen({ toolsListChanged: true, resourceSubscriptions: [README] });
      await waitFor(() => fixture.subscribed().includes('fx://docs/readme'), 5_000, 'the upstream subscription');
      await admin('PATCH', '/api/virtual-keys/mcp-modern', { tools: { allow: ['fix__add'] } });
      await waitFor(() => changed > 0, 5_000, 'notifications/tools/list_changed on the listen stream');
      await admin('DELETE', '/api/virtual-keys/mcp-modern');
      // The stream ended: its upstream subscription is let go with it.
      await waitFor(() => fixture.subscribed().length === 0, 5_000, 'the listen stream to end');
      await assert.rejects(modern.client.listTools(), /401|virtual key not found/);
    } finally {
      await modern.close().catch(() => undefined);
    }
  });

  test('expired: the session is closed when its key’s expiresAt passes', { timeout: 30_000 }, async () => {
    const expiresAt = new Date(Date.now() + 3000).toISOString();
    const { key } = await admin('POST', '/api/virtual-keys', { id: 'mcp-expiring', tools: { allow: ['fix__*'] }, expiresAt });
    const s = await connectStreamable(gw.url, key!);
    const id = s.sessionId()!;
    try {
      assert.ok(gw.gateway.mcpEndpoint.sessions.get(id), 'open before its expiry');
      await waitFor(() => gw.gateway.mcpEndpoint.sessions.get(id) === undefined, 10_000, 'the session closed at expiry');
      assert.ok(Date.now() >= Date.parse(expiresAt), 'not before its expiry');
      await assert.rejects(s.client.listTools(), /403|expired/);
    } finally {
      await s.close().catch(() => undefined);
    }
  });

  test('HTTP+SSE: a deleted key’s session is closed, its event stream ended', { timeout: 30_000 }, async () => {
    const { key } = await admin('POST', '/api/virtual-keys', { id: 'mcp-sse', tools: { allow: ['fix__*'] } });
    // The event stream read as it is (the SDK's client reconnects on its own, which would hide its end).
    const res = await fetch(`${gw.url}/mcp/sse`, { headers: { authorization: `Bearer ${key}` } });
    assert.equal(res.status, 200);
    const reader = res.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    const id = /sessionId=([\w-]+)/.exec(first)![1]!;
    try {
      assert.ok(gw.gateway.mcpEndpoint.sessions.get(id));
      await admin('DELETE', '/api/virtual-keys/mcp-sse');
      await waitFor(() => gw.gateway.mcpEndpoint.sessions.get(id) === undefined, 5_000, 'the session closed');
      const ended = (async () => {
        for (;;) if ((await reader.read()).done) return true;
      })();
      assert.equal(await within(ended, 5_000, 'the event stream to end'), true);
    } finally {
      await reader.cancel().catch(() => undefined);
    }
  });
});
