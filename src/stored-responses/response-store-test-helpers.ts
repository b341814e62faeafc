// What every ResponseStore must do (SQLite here, PostgreSQL in tests/responses-store-pg.test.ts):
// per key, expiring, each key trimmed to its newest N, DELETE removing, both kinds of entry.
import assert from 'node:assert/strict';
import type { ResponseObject } from '../wire/responses/types.js';
import { IdClashError, type ResponseRetention, type ResponseStore, type StoredEntry } from './response-store.js';

/** The provider of an upstream entry (undefined for any other). */
const providerOf = (entry: StoredEntry | undefined) => (entry?.kind === 'upstream' ? entry.provider : undefined);
const response = (id: string) => ({ id, object: 'response', output: [] }) as unknown as ResponseObject;

/** `make` builds a store over an empty table with this retention and clock. */
export async function checkResponseStore(
  make: (retention: ResponseRetention, clock: () => number) => ResponseStore | Promise<ResponseStore>,
): Promise<void> {
  let now = 1_000_000;
  const store = await make({ ttlMs: 10_000, maxPerKey: 3 }, () => now);
  const messages = [{ role: 'user' as const, content: 'hi' }];
  await store.put({ kind: 'gateway', id: 'resp_a', keyId: 'k1', response: response('resp_a'), messages });
  await store.put({ kind: 'upstream', id: 'resp_up', keyId: 'k1', provider: 'oai' });
  await store.put({ kind: 'gateway', id: 'resp_open', keyId: null, response: response('resp_open'), messages: [] });

  assert.deepEqual(await store.get('resp_a', 'k1'), { kind: 'gateway', id: 'resp_a', keyId: 'k1', response: response('resp_a'), messages });
  assert.deepEqual(await store.get('resp_up', 'k1'), { kind: 'upstream', id: 'resp_up', keyId: 'k1', provider: 'oai' });
  // A response's own input items (input_items) come back with it, held or written.
  const input = [{ id: 'msg_in', type: 'message' as const, role: 'user' as const, content: [{ type: 'input_text' as const, text: 'hi' }] }];
  const withInput = { kind: 'gateway' as const, id: 'resp_in', keyId: 'k5', response: response('resp_in'), messages, input };
  await store.put(withInput);
  assert.deepEqual(await store.get('resp_in', 'k5'), withInput);
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(await store.get('resp_in', 'k5'), withInput);
  // What continuing it upstream carries (the budget reserves it) comes back with it, held or written.
  const carry = { kind: 'upstream' as const, id: 'resp_carry', keyId: 'k3', provider: 'oai', carriedTokens: 1234 };
  await store.put(carry);
  assert.deepEqual(await store.get('resp_carry', 'k3'), carry);
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(await store.get('resp_carry', 'k3'), carry);
  // The gateway's call ids input_items leaves out come back with it too, with or without a carried bound.
  for (const hidden of [
    { kind: 'upstream' as const, id: 'resp_hidden', keyId: 'k3', provider: 'oai', hiddenCalls: ['call_gw1', 'call_gw2'] },
    { kind: 'upstream' as const, id: 'resp_hidden2', keyId: 'k3', provider: 'oai', carriedTokens: 9, hiddenCalls: ['call_gw3'] },
    // What GET shows in place of the upstream's last round, with or without the rest.
    { kind: 'upstream' as const, id: 'resp_shown', keyId: 'k3', provider: 'oai', shown: { output: [], tools: [], usage: null } },
    {
      kind: 'upstream' as const,
      id: 'resp_shown2',
      keyId: 'k3',
      provider: 'oai',
      carriedTokens: 9,
      hiddenCalls: ['call_gw4'],
      shown: { usage: { total_tokens: 3 } },
    },
  ]) {
    await store.put(hidden);
    assert.deepEqual(await store.get(hidden.id, 'k3'), hidden);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(await store.get(hidden.id, 'k3'), hidden);
  }
  assert.equal(await store.get('resp_a', 'k2'), undefined, "another key's id is not found");
  assert.equal(await store.get('resp_a', null), undefined);
  assert.equal((await store.get('resp_open', null))?.id, 'resp_open');
  assert.equal(await store.delete('resp_a', 'k2'), false, 'another key cannot delete it');
  assert.equal(await store.delete('resp_a', 'k1'), true);
  assert.equal(await store.get('resp_a', 'k1'), undefined, 'DELETE removes');
  assert.equal(await store.delete('resp_a', 'k1'), false);

  // Each key keeps its newest three; another key's rows are not touched.
  for (const i of [1, 2, 3, 4]) {
    now += 1;
    await store.put({ kind: 'upstream', id: `resp_n${i}`, keyId: 'k2', provider: 'oai' });
  }
  // A store may write behind (SQLite: on the next turn of the event loop).
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(await store.get('resp_n1', 'k2'), undefined, 'the oldest went');
  for (const i of [2, 3, 4]) assert.equal((await store.get(`resp_n${i}`, 'k2'))?.id, `resp_n${i}`);
  assert.equal((await store.get('resp_up', 'k1'))?.id, 'resp_up');

  // The first key given a response id keeps it: another key's response under that id (an upstream
  // that reused it, or let a client choose it) is not kept, whether the first is held or written.
  const clashing = { kind: 'upstream' as const, id: 'resp_clash', keyId: 'k8', provider: 'other' };
  await store.put({ kind: 'upstream', id: 'resp_clash', keyId: 'k1', provider: 'oai' });
  await assert.rejects(store.put(clashing), IdClashError);
  for (const written of [false, true]) {
    if (written) {
      await new Promise((resolve) => setImmediate(resolve));
      // Written, the clash is found by the write (reported, on SQLite, where failed writes are).
      await store.put(clashing).catch((err: unknown) => assert.ok(err instanceof IdClashError));
      assert.equal(providerOf(await store.get('resp_clash', 'k1')), 'oai', 'the first key reads its own meanwhile');
      for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
    }
    assert.equal(providerOf(await store.get('resp_clash', 'k1')), 'oai', `written: ${written}`);
    assert.equal(await store.get('resp_clash', 'k8'), undefined, `written: ${written}`);
    assert.equal(await store.delete('resp_clash', 'k8'), false);
    // Whether another key holds an id (a client-chosen response id: owned-input.ts), held or written.
    assert.equal(await store.heldByOther('resp_clash', 'k8'), true, `written: ${written}`);
    assert.equal(await store.heldByOther('resp_clash', null), true);
    assert.equal(await store.heldByOther('resp_clash', 'k1'), false, 'its own');
    assert.equal(await store.heldByOther('resp_unknown', 'k8'), false);
  }
  // Its own key writes it again at will.
  await store.put({ kind: 'upstream', id: 'resp_clash', keyId: 'k1', provider: 'oai2' });
  assert.equal(providerOf(await store.get('resp_clash', 'k1')), 'oai2');

  // Item ids the client was shown are the key's, held or written; nobody else's, no other spelling.
  await store.put({
    kind: 'upstream',
    id: 'resp_items',
    keyId: 'k4',
    provider: 'oai',
    items: ['msg_1', 'rs_%x'],
    itemTokens: { 'rs_%x': 2_008 },
  });
  for (const written of [false, true]) {
    if (written) await new Promise((resolve) => setImmediate(resolve));
    // A reasoning item's recorded size comes with it (what it adds sent back by id); other items have none.
    assert.deepEqual(await store.shownItem('rs_%x', 'k4'), { tokens: 2_008 }, `held or written: ${written}`);
    assert.deepEqual(await store.shownItem('msg_1', 'k4'), { tokens: undefined });
    assert.equal(await store.shownItem('rs_%x', 'k1'), undefined, "another key's item");
    assert.equal(await store.ownsItem('msg_1', 'k4'), true, `held or written: ${written}`);
    assert.equal(await store.ownsItem('rs_%x', 'k4'), true);
    assert.equal(await store.ownsItem('msg_1', 'k1'), false, "another key's item");
    assert.equal(await store.ownsItem('msg_1', null), false);
    for (const other of ['msg_', 'msg_12', 'sg_1', 'rs_%', '%']) assert.equal(await store.ownsItem(other, 'k4'), false, other);
  }
  assert.equal(await store.ownsItem('resp_up', 'k1'), false, 'a response id is not an item');

  // Containers a key was shown are its own, readable at once;
  // each key keeps its newest three (another key's are not touched).
  await store.showIds('container', ['cntr_a', 'cntr_b'], 'k6');
  await store.showIds('container', ['cntr_open'], null);
  assert.ok(await store.ownsShown('container', 'cntr_a', 'k6'));
  assert.ok(await store.ownsShown('container', 'cntr_b', 'k6'));
  assert.equal(await store.ownsShown('container', 'cntr_a', 'k1'), undefined, "another key's container");
  assert.equal(await store.ownsShown('container', 'cntr_a', null), undefined);
  assert.ok(await store.ownsShown('container', 'cntr_open', null));
  assert.equal(await store.ownsShown('container', 'cntr_open', 'k6'), undefined);
  assert.equal(await store.ownsShown('container', 'cntr_', 'k6'), undefined);
  now += 1;
  await store.showIds('container', ['cntr_c', 'cntr_d'], 'k6');
  assert.equal(await store.ownsShown('container', 'cntr_a', 'k6'), undefined, 'the oldest went');
  for (const id of ['cntr_b', 'cntr_c', 'cntr_d']) assert.ok(await store.ownsShown('container', id, 'k6'), id);
  // The first key shown an id keeps it: shown to another key (or as another kind) it is not that
  // key's, and IdClashError names it; the ids shown with it are recorded.
  const clash = (id: string) => (err: unknown) => err instanceof IdClashError && err.message.includes(id);
  await assert.rejects(store.showIds('container', ['cntr_b', 'cntr_k7'], 'k7'), clash('cntr_b'));
  assert.equal(await store.ownsShown('container', 'cntr_b', 'k7'), undefined, 'shown to another key first');
  assert.ok(await store.ownsShown('container', 'cntr_b', 'k6'));
  assert.ok(await store.ownsShown('container', 'cntr_k7', 'k7'));
  await assert.rejects(store.showIds('audio', ['cntr_b'], 'k6'), clash('cntr_b'));
  assert.equal(await store.ownsShown('audio', 'cntr_b', 'k6'), undefined, 'a container does not become audio');
  assert.ok(await store.ownsShown('container', 'cntr_b', 'k6'));
  assert.ok(await store.ownsShown('container', 'cntr_open', null));
  // Each kind has its own bound and is looked up as itself: four audio ids shown to k6 push out
  // its oldest audio id, none of its containers, and its containers none of its audio.
  now += 1;
  await store.showIds('audio', ['audio_1', 'audio_2', 'audio_3', 'audio_4'], 'k6');
  for (const id of ['cntr_c', 'cntr_d']) assert.ok(await store.ownsShown('container', id, 'k6'), `${id} beside the audio`);
  assert.equal(await store.ownsShown('audio', 'audio_1', 'k6'), undefined, 'the oldest audio id went');
  await store.showIds('container', ['cntr_e', 'cntr_f', 'cntr_g'], 'k6');
  for (const id of ['audio_2', 'audio_3', 'audio_4']) assert.ok(await store.ownsShown('audio', id, 'k6'), `${id} beside the containers`);
  assert.equal(await store.ownsShown('container', 'cntr_d', 'k6'), undefined, 'the oldest containers went');
  assert.equal(await store.ownsShown('audio', 'cntr_e', 'k6'), undefined, 'a container is not an audio id');
  assert.equal(await store.ownsShown('container', 'audio_2', 'k6'), undefined, 'an audio id is not a container');
  // An id's size comes back with the lookup (shown_containers.tokens); none recorded, none known; shown again, the new one.
  assert.deepEqual(await store.ownsShown('audio', 'audio_2', 'k6'), { tokens: undefined });
  await store.showIds('audio', ['audio_sized'], 'k6', 1_234);
  assert.deepEqual(await store.ownsShown('audio', 'audio_sized', 'k6'), { tokens: 1_234 });
  await store.showIds('audio', ['audio_sized'], 'k6', 56);
  assert.deepEqual(await store.ownsShown('audio', 'audio_sized', 'k6'), { tokens: 56 });
  assert.equal(await store.ownsShown('audio', 'audio_sized', 'k7'), undefined, "another key's audio");

  // Expired: not found, whatever is still in the table.
  now += 10_000;
  assert.equal(await store.get('resp_n4', 'k2'), undefined);
  assert.equal(await store.delete('resp_n4', 'k2'), false);
  assert.equal(await store.ownsItem('msg_1', 'k4'), false, 'an expired response owns nothing');
  assert.equal(await store.ownsShown('container', 'cntr_e', 'k6'), undefined, 'an expired container record owns nothing');
  // Shown again, its time starts over; an expired row is no key's, so another key may be shown it.
  await store.showIds('container', ['cntr_e'], 'k6');
  assert.ok(await store.ownsShown('container', 'cntr_e', 'k6'));
  await store.showIds('container', ['cntr_f'], 'k7');
  assert.ok(await store.ownsShown('container', 'cntr_f', 'k7'));
  assert.equal(await store.heldByOther('resp_clash', 'k8'), false, 'expired');
  await store.put({ kind: 'upstream', id: 'resp_clash', keyId: 'k8', provider: 'other' });
  assert.equal(providerOf(await store.get('resp_clash', 'k8')), 'other', "an expired response is no key's");
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(providerOf(await store.get('resp_clash', 'k8')), 'other');
}
