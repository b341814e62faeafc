import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { HiddenCalls } from './stitch.js';
import type { ChatMessage, ToolCall } from '../openai/types.js';

const call = (id: string, name: string): ToolCall => ({ id, type: 'function', function: { name, arguments: '{}' } });

describe('HiddenCalls', () => {
  test('stitches hidden MCP calls and results back into the turn that had the client call', () => {
    let now = 0;
    const hidden = new HiddenCalls(1000, 10, () => now);
    hidden.remember([call('c1', 'client_fn')], [call('m1', 'docs__search')], [{ role: 'tool', tool_call_id: 'm1', content: 'found' }]);
    const history: ChatMessage[] = [
      { role: 'user', content: 'q' },
      { role: 'assistant', content: null, tool_calls: [call('c1', 'client_fn')] },
      { role: 'tool', tool_call_id: 'c1', content: 'client says' },
    ];
    const out = hidden.expand(history);
    assert.deepEqual(
      out.map((m) => m.role),
      ['user', 'assistant', 'tool', 'tool'],
    );
    assert.deepEqual(
      (out[1] as { tool_calls: ToolCall[] }).tool_calls.map((c) => c.id),
      ['c1', 'm1'],
    );
    assert.deepEqual(
      out.slice(2).map((m) => (m as { tool_call_id: string }).tool_call_id),
      ['m1', 'c1'],
    );
    now = 2000;
    assert.equal(hidden.expand(history), history, 'expired entries are not stitched');
  });

  test('nothing remembered → the same array, untouched; memory is bounded', () => {
    const hidden = new HiddenCalls(1000, 2);
    const history: ChatMessage[] = [{ role: 'user', content: 'q' }];
    assert.equal(hidden.expand(history), history);
    for (let i = 0; i < 5; i++) hidden.remember([call(`c${i}`, 'f')], [], []);
    assert.equal(hidden.size, 2);
  });
});
