import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SessionStore, type McpSession } from './sessions.js';

function fakeSession(id: string, kind: McpSession['kind'], lastSeen: number) {
  const s = { id, kind, keyId: 'k', lastSeen, closed: 0, close: async () => void s.closed++ };
  return s;
}

describe('SessionStore', () => {
  test('is bounded: reserve() fails at the limit, pending setups included', () => {
    const store = new SessionStore({ maxSessions: 2, idleTimeoutMs: 1_000, now: () => 0 });
    assert.ok(store.reserve());
    store.add(fakeSession('a', 'streamable', 0));
    assert.ok(store.reserve());
    assert.ok(!store.reserve(), 'one live + one pending = full');
    store.unreserve();
    assert.ok(store.reserve());
    store.add(fakeSession('b', 'sse', 0));
    assert.ok(!store.reserve());
    store.delete('a');
    assert.ok(store.reserve());
    void store.closeAll();
  });

  test('sweep() closes Streamable HTTP sessions idle past the timeout, not SSE ones', async () => {
    let now = 0;
    const store = new SessionStore({ maxSessions: 10, idleTimeoutMs: 1_000, now: () => now });
    const idle = fakeSession('idle', 'streamable', 0);
    const busy = fakeSession('busy', 'streamable', 0);
    const stream = fakeSession('stream', 'sse', 0);
    for (const s of [idle, busy, stream]) {
      store.reserve();
      store.add(s);
    }
    now = 900;
    busy.lastSeen = 900;
    assert.deepEqual(store.sweep(), []);
    now = 1_500;
    assert.deepEqual(store.sweep(), ['idle']);
    assert.equal(idle.closed, 1);
    assert.equal(store.get('idle'), undefined);
    assert.ok(store.get('busy'));
    assert.ok(store.get('stream'));
    await store.closeAll();
    assert.equal(store.size, 0);
    assert.deepEqual([busy.closed, stream.closed], [1, 1]);
  });

  test('the sweeper runs on its own timer', async () => {
    let now = 0;
    const store = new SessionStore({ maxSessions: 10, idleTimeoutMs: 10, now: () => now, sweepEveryMs: 5 });
    const s = fakeSession('s', 'streamable', 0);
    store.reserve();
    store.add(s);
    now = 100;
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.equal(s.closed, 1);
    assert.equal(store.size, 0);
  });
});
