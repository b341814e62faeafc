import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AttemptPlan } from '../governance/attempt-budget.js';
import type { ResponsesTurn } from '../wire/responses/native-turn.js';
import type { OtherItem } from '../wire/responses/types.js';
import { byIdTokens, noteItems, shownSizes } from './reasoning-size.js';

const plan = { promptTokens: 500, outputTokens: 300 } as AttemptPlan;
const output = [
  { type: 'reasoning', id: 'rs_1', summary: [] },
  { type: 'web_search_call', id: 'ws_1', status: 'completed' },
  { type: 'image_generation_call', id: 'ig_1', result: 'iVBO' },
  { type: 'message', id: 'msg_1', role: 'assistant', content: [] },
  { type: 'message', role: 'assistant', content: [] },
] as unknown as OtherItem[];
const turn = (rawUsage: ResponsesTurn['rawUsage']) => ({ output, rawUsage }) as ResponsesTurn;

test('noteItems: reasoning at its round output, any other item at all the round was billed, images not at all', () => {
  const sizes = noteItems(undefined, turn({ input_tokens: 2_000, output_tokens: 40 }), plan);
  assert.deepEqual(Object.fromEntries(sizes!), { rs_1: 48, ws_1: 2_048, msg_1: 2_048 });
});

test('noteItems: without usage, what the round reserved', () => {
  const sizes = noteItems(undefined, turn(undefined), plan);
  assert.deepEqual(Object.fromEntries(sizes!), { rs_1: 308, ws_1: 808, msg_1: 808 });
  assert.deepEqual(Object.fromEntries(noteItems(undefined, turn({ input_tokens: 2_000 }), plan)!), { rs_1: 308, ws_1: 808, msg_1: 808 });
});

test('shownSizes: the recorded sizes of the items shown, none when none is recorded', () => {
  const sizes = noteItems(undefined, turn({ input_tokens: 2_000, output_tokens: 40 }), plan);
  assert.deepEqual(shownSizes(sizes, [{ id: 'msg_1' }, { id: 'ig_1' }, { id: 'mcp_gateway' }]), { msg_1: 2_048 });
  assert.equal(shownSizes(sizes, [{ id: 'mcp_gateway' }]), undefined);
});

test("byIdTokens: the loop's items that go back by id add their recorded size, items that carry themselves nothing", () => {
  const sizes = new Map([
    ['rs_1', 48],
    ['rs_2', 60],
    ['ws_1', 2_048],
    ['ws_2', 2_048],
    ['msg_1', 2_048],
  ]);
  const round = [
    { type: 'reasoning', id: 'rs_1', summary: [] },
    { type: 'reasoning', id: 'rs_2', summary: [], encrypted_content: 'gAAAA' },
    { type: 'web_search_call', id: 'ws_1', status: 'completed' },
    { type: 'web_search_call', id: 'ws_2', status: 'completed', action: { type: 'search', query: 'q' } },
    { type: 'message', id: 'msg_1', role: 'assistant', content: [{ type: 'output_text', text: 'hi' }] },
  ] as unknown as OtherItem[];
  assert.equal(byIdTokens(undefined, round, sizes), 48 + 2_048);
  assert.equal(byIdTokens(100, round.slice(1, 2), sizes), 100);
});
