import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SessionStore, type McpSession, type SessionLimits } from './sessions.js';
import { waitFor } from '../../tests/helpers/wait-for.js';

function fakeSession(id: string, kind: McpSession['kind'], at: number, keyId: string | null = 'k') {
  const s = { id, kind, keyId, openedAt: at, lastSeen: at, closed: 0, close: async () => void s.closed++ };
  return s;
}

const limits = (over: Partial<SessionLimits> = {}): SessionLimits => ({
  maxSessions: 10,
  maxSessionsPerKey: 10,
  idleTimeoutMs: 1_000,
  maxLifetimeMs: 10_000,
  ...over,
});

describe('SessionStore', () => {
  test('is bounded: reserve() fails at the limit, pending setups included', () => {
    const store = new SessionStore({ ...limits({ maxSessions: 2 }), now: () => 0 });
    assert.equal(store.reserve('k'), null);
    store.add(fakeSession('a', 'streamable', 0));
    assert.equal(store.reserve('k'), null);
    assert.equal(store.reserve('k'), 'gateway', 'one live + one pending = full');
    store.unreserve('k');
    assert.equal(store.reserve('k'), null);
    store.add(fakeSession('b', 'sse', 0));
    assert.equal(store.reserve('k'), 'gateway');
    store.delete('a');
    assert.equal(store.reserve('k'), null);
    void store.closeAll();
  });

  test('one key holds at most its share; other keys still open sessions; a closed session frees the share', () => {
    const store = new SessionStore({ ...limits({ maxSessionsPerKey: 2 }), now: () => 0 });
    for (const id of ['a1', 'a2']) {
      assert.equal(store.reserve('a'), null);
      store.add(fakeSession(id, 'streamable', 0, 'a'));
    }
    assert.equal(store.reserve('a'), 'key');
    assert.equal(store.countFor('a'), 2);
    assert.equal(store.reserve('b'), null, 'another key is not affected');
    store.add(fakeSession('b1', 'sse', 0, 'b'));
    store.delete('a1');
    assert.equal(store.reserve('a'), null);
    store.unreserve('a');
    assert.equal(store.countFor('a'), 1);
    void store.closeAll();
    assert.equal(store.countFor('a'), 0);
  });

  test('the keys of one team hold at most its share together; keys without a team only their own; closing frees it', () => {
    const store = new SessionStore({ ...limits({ maxSessionsPerKey: 2, maxSessionsPerTeam: 3 }), now: () => 0 });
    const team = (id: string, keyId: string) => Object.assign(fakeSession(id, 'streamable', 0, keyId), { teamId: 'eng' });
    for (const [id, key] of [
      ['a1', 'a'],
      ['a2', 'a'],
      ['b1', 'b'],
    ] as const) {
      assert.equal(store.reserve(key, 'eng'), null);
      store.add(team(id, key));
    }
    assert.equal(store.countForTeam('eng'), 3);
    assert.equal(store.reserve('b', 'eng'), 'team', 'b is under its own share, its team is not');
    assert.equal(store.reserve('c', 'eng'), 'team');
    assert.equal(store.reserve('a', 'eng'), 'key', 'the key’s own share is checked first');
    assert.equal(store.reserve('solo'), null, 'a key without a team is not affected');
    store.unreserve('solo');
    assert.equal(store.reserve('d', 'ops'), null, 'nor is another team');
    store.unreserve('d', 'ops');
    assert.equal(store.countForTeam('ops'), 0);
    store.delete('a1');
    assert.equal(store.reserve('c', 'eng'), null, 'a closed session frees the team’s share');
    store.unreserve('c', 'eng');
    assert.equal(store.countForTeam('eng'), 2);
    void store.closeAll();
    assert.equal(store.countForTeam('eng'), 0);
  });

  test('sweep() closes sessions of every kind when idle past the timeout or older than the lifetime', async () => {
    let now = 0;
    const store = new SessionStore({ ...limits(), now: () => now });
    const idle = fakeSession('idle', 'streamable', 0);
    const busy = fakeSession('busy', 'streamable', 0);
    const quietStream = fakeSession('stream', 'sse', 0);
    const old = fakeSession('old', 'sse', 0);
    for (const s of [idle, busy, quietStream, old]) {
      store.reserve('k');
      store.add(s);
    }
    now = 900;
    busy.lastSeen = 900;
    old.lastSeen = 900;
    assert.deepEqual(store.sweep(), []);
    now = 1_500;
    assert.deepEqual(store.sweep().sort(), ['idle', 'stream']);
    assert.deepEqual([idle.closed, quietStream.closed], [1, 1]);
    // Busy to the end, but past its lifetime.
    now = 10_500;
    busy.lastSeen = old.lastSeen = 10_400;
    assert.deepEqual(store.sweep().sort(), ['busy', 'old']);
    assert.equal(store.size, 0);
    assert.equal(store.countFor('k'), 0);
  });

  test('the sweeper runs on its own timer', async () => {
    let now = 0;
    const store = new SessionStore({ ...limits({ idleTimeoutMs: 10 }), now: () => now, sweepEveryMs: 5 });
    const s = fakeSession('s', 'streamable', 0);
    store.reserve('k');
    store.add(s);
    now = 100;
    await waitFor(() => s.closed > 0, 5_000, 'the sweep to close the idle session');
    assert.equal(s.closed, 1);
    assert.equal(store.size, 0);
  });
});
