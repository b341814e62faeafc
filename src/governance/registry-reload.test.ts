// reload(): what another replica wrote to the shared repository becomes visible here; config
// entries stay; a change notice fires after each local write (issue 11).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { virtualKeySchema } from '../config-schema.js';
import { createMemoryGovernanceRepository } from './memory-repository.js';
import { GovernanceRegistry } from './registry.js';

const NOW = Date.parse('2025-03-15T12:00:00Z');
const config = {
  customers: [],
  teams: [{ id: 'eng' }],
  virtualKeys: [virtualKeySchema.parse({ id: 'main', key: 'secret-main', team: 'eng' })],
};
const input = (id: string) => {
  const { key: _k, ...rest } = virtualKeySchema.parse({ key: 'placeholder', id });
  return rest;
};

test('a key written by another replica authenticates here after reload(); a deleted one stops', async () => {
  const repo = createMemoryGovernanceRepository();
  const one = new GovernanceRegistry({ config, repository: repo, now: () => NOW });
  const two = new GovernanceRegistry({ config, repository: repo, now: () => NOW });
  await Promise.all([one.load(), two.load()]);
  const { secret } = await one.createKey(input('shared'));
  await one.createTeam({ id: 'ops' });
  assert.throws(() => two.authenticate(secret), /not found/);
  await two.reload();
  assert.equal(two.authenticate(secret).key?.id, 'shared');
  assert.equal(two.getTeam('ops')?.source, 'api');
  assert.equal(two.authenticate('secret-main').key?.id, 'main', 'config keys stay');
  await one.deleteKey('shared');
  await two.reload();
  assert.throws(() => two.authenticate(secret), /not found/);
  assert.equal(two.getKey('main')?.source, 'config');
});

test('an unchanged key keeps its compiled policy across reloads', async () => {
  const repo = createMemoryGovernanceRepository();
  const one = new GovernanceRegistry({ config, repository: repo, now: () => NOW });
  const { secret } = await one.createKey(input('k'));
  const before = one.authenticate(secret).policy;
  await one.reload();
  assert.equal(one.authenticate(secret).policy, before);
});

test('onChange fires after each successful admin write, not after reload or a failed write', async () => {
  let changes = 0;
  const registry = new GovernanceRegistry({
    config,
    repository: createMemoryGovernanceRepository(),
    now: () => NOW,
    onChange: () => changes++,
  });
  await registry.createKey(input('a'));
  await registry.createTeam({ id: 'ops' });
  await assert.rejects(registry.createKey(input('a')));
  await registry.reload();
  await new Promise((r) => setImmediate(r));
  assert.equal(changes, 2);
});

test('onKeysChanged: told after each local write, and after a reload only when another replica changed something', async () => {
  const repo = createMemoryGovernanceRepository();
  // A clock that moves: a reload tells a key changed by its updatedAt.
  let t = NOW;
  const one = new GovernanceRegistry({ config, repository: repo, now: () => ++t });
  const two = new GovernanceRegistry({ config, repository: repo, now: () => ++t });
  await Promise.all([one.load(), two.load()]);
  let heardOne = 0;
  let heardTwo = 0;
  one.onKeysChanged(() => heardOne++);
  const off = two.onKeysChanged(() => heardTwo++);
  await one.createKey(input('shared'));
  await one.createTeam({ id: 'ops' });
  await new Promise((r) => setImmediate(r));
  assert.equal(heardOne, 2);
  await two.reload();
  assert.equal(heardTwo, 1, 'the other replica’s key and team');
  await two.reload();
  assert.equal(heardTwo, 1, 'nothing changed: not told');
  await one.updateKey('shared', { disabled: true });
  await two.reload();
  assert.equal(heardTwo, 2);
  off();
  await one.deleteKey('shared');
  await two.reload();
  assert.equal(heardTwo, 2, 'removed');
});
