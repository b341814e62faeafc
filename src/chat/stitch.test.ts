import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { HiddenCalls, type HiddenOwner } from './stitch.js';
import type { ChatMessage, ToolCall } from '../openai/types.js';

const call = (id: string, name: string): ToolCall => ({ id, type: 'function', function: { name, arguments: '{}' } });
const key = (keyId: string | null, allowsTool: (name: string) => boolean = () => true): HiddenOwner => ({ keyId, allowsTool });
const followUp = (clientCallId: string): ChatMessage[] => [
  { role: 'user', content: 'q' },
  { role: 'assistant', content: null, tool_calls: [call(clientCallId, 'client_fn')] },
  { role: 'tool', tool_call_id: clientCallId, content: 'client says' },
];
const ids = (out: ChatMessage[]) => (out[1] as { tool_calls: ToolCall[] }).tool_calls.map((c) => c.id);

describe('HiddenCalls', () => {
  test('stitches hidden MCP calls and results back into the turn that had the client call', () => {
    let now = 0;
    const hidden = new HiddenCalls({ ttlMs: 1000 }, () => now);
    hidden.remember('a', [call('c1', 'client_fn')], [call('m1', 'docs__search')], [{ role: 'tool', tool_call_id: 'm1', content: 'found' }]);
    const history = followUp('c1');
    const out = hidden.expand(history, key('a'));
    assert.deepEqual(
      out.map((m) => m.role),
      ['user', 'assistant', 'tool', 'tool'],
    );
    assert.deepEqual(ids(out), ['c1', 'm1']);
    assert.deepEqual(
      out.slice(2).map((m) => (m as { tool_call_id: string }).tool_call_id),
      ['m1', 'c1'],
    );
    now = 2000;
    assert.equal(hidden.expand(history, key('a')), history, 'expired entries are not stitched');
  });

  test('another key replaying the client call id gets nothing; the owner still does', () => {
    const hidden = new HiddenCalls();
    hidden.remember(
      'a',
      [call('c1', 'client_fn')],
      [call('m1', 'docs__search')],
      [{ role: 'tool', tool_call_id: 'm1', content: 'secret' }],
    );
    const history = followUp('c1');
    assert.equal(hidden.expand(history, key('b')), history);
    assert.equal(hidden.expand(history, key(null)), history, 'keyless requests are not the owner either');
    // Another key's turn under the same client call id does not overwrite the first.
    hidden.remember('b', [call('c1', 'client_fn')], [call('m9', 'docs__search')], [{ role: 'tool', tool_call_id: 'm9', content: 'b' }]);
    assert.deepEqual(ids(hidden.expand(history, key('a'))), ['c1', 'm1']);
    assert.deepEqual(ids(hidden.expand(history, key('b'))), ['c1', 'm9']);
  });

  test('calls to tools the key may no longer use are dropped with their results', () => {
    const hidden = new HiddenCalls();
    hidden.remember(
      'a',
      [call('c1', 'client_fn')],
      [call('m1', 'docs__search'), call('m2', 'docs__delete')],
      [
        { role: 'tool', tool_call_id: 'm1', content: 'found' },
        { role: 'tool', tool_call_id: 'm2', content: 'deleted' },
      ],
    );
    const out = hidden.expand(
      followUp('c1'),
      key('a', (name) => name !== 'docs__delete'),
    );
    assert.deepEqual(ids(out), ['c1', 'm1']);
    assert.deepEqual(
      out.slice(2).map((m) => (m as { tool_call_id: string }).tool_call_id),
      ['m1', 'c1'],
    );
  });

  test('nothing remembered → the same array, untouched; memory is bounded by entries', () => {
    const hidden = new HiddenCalls({ maxEntries: 2 });
    const history: ChatMessage[] = [{ role: 'user', content: 'q' }];
    assert.equal(hidden.expand(history, key('a')), history);
    for (let i = 0; i < 5; i++) hidden.remember('a', [call(`c${i}`, 'f')], [], []);
    assert.equal(hidden.size, 2);
  });

  test('memory is bounded by bytes, and one key cannot evict the others', () => {
    const big = 'x'.repeat(10_000);
    const hidden = new HiddenCalls({ maxBytes: 200_000, maxBytesPerKey: 60_000, maxEntriesPerKey: 3 });
    hidden.remember('victim', [call('v1', 'f')], [call('vm', 'docs__search')], [{ role: 'tool', tool_call_id: 'vm', content: 'kept' }]);
    for (let i = 0; i < 100; i++)
      hidden.remember(
        'flood',
        [call(`f${i}`, 'f')],
        [call(`m${i}`, 'docs__search')],
        [{ role: 'tool', tool_call_id: `m${i}`, content: big }],
      );
    assert.ok(hidden.bytes <= 200_000, `${hidden.bytes} bytes held`);
    assert.ok(hidden.size <= 4);
    assert.deepEqual(ids(hidden.expand(followUp('v1'), key('victim'))), ['v1', 'vm'], 'the flooding key evicted only its own turns');
    assert.deepEqual(ids(hidden.expand(followUp('f99'), key('flood'))), ['f99', 'm99'], 'its newest turn is kept');
    assert.equal(hidden.expand(followUp('f0'), key('flood')).length, 3, 'its oldest is gone');
    // A single turn larger than a key's share is not remembered at all.
    hidden.remember('x', [call('x1', 'f')], [call('xm', 't')], [{ role: 'tool', tool_call_id: 'xm', content: 'y'.repeat(40_000) }]);
    assert.equal(hidden.expand(followUp('x1'), key('x')).length, 3);
  });

  test('expired turns are swept when new ones arrive', () => {
    let now = 0;
    const hidden = new HiddenCalls({ ttlMs: 100 }, () => now);
    for (let i = 0; i < 10; i++) hidden.remember('a', [call(`c${i}`, 'f')], [], []);
    now = 1000;
    hidden.remember('b', [call('n', 'f')], [], []);
    assert.equal(hidden.size, 1);
  });
});
