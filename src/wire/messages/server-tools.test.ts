import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { serverToolsOf, serverToolUses, usesBound, withMaxUses } from './server-tools.js';

const tools = [
  { name: 'Bash', input_schema: { type: 'object' } },
  { type: 'web_search_20250305', name: 'web_search', max_uses: 8 },
  { type: 'web_fetch_20250910', name: 'web_fetch' },
  { type: 'code_execution_20250825', name: 'code_execution' },
  { type: 'bash_20250124', name: 'bash' },
];

describe('Anthropic server tools', () => {
  test('found by type; client tools (custom, bash, text editor…) are not', () => {
    assert.equal(serverToolsOf([tools[0]!, tools[4]!]), undefined);
    assert.deepEqual(
      serverToolsOf(tools)!.map((t) => [t.key, t.maxUses, t.bounded]),
      [
        ['messages/web_search', 8, true],
        ['messages/web_fetch', undefined, true],
        ['messages/code_execution', undefined, false],
      ],
    );
  });

  test('max_uses added where missing, and the bound each reserves', () => {
    const capped = withMaxUses(tools, 3);
    assert.equal(capped[1], tools[1], 'a client bound is kept as sent');
    assert.equal(capped[2]!.max_uses, 3);
    assert.equal(capped[3]!.max_uses, undefined, 'code execution takes no max_uses');
    assert.equal(withMaxUses([tools[0]!], 3)[0], tools[0]);
    assert.deepEqual(
      serverToolsOf(capped)!.map((t) => usesBound(t, 5)),
      [8, 3, 1],
    );
  });

  test('uses counted from usage.server_tool_use, one per round for code execution', () => {
    const offered = serverToolsOf(tools);
    assert.deepEqual(serverToolUses(offered, { server_tool_use: { web_search_requests: 4, web_fetch_requests: 0 } }), [
      ['messages/web_search', 4],
      ['messages/code_execution', 1],
    ]);
    assert.deepEqual(serverToolUses(undefined, { input_tokens: 3 }), []);
    assert.deepEqual(serverToolUses(undefined, { server_tool_use: null }), []);
  });
});
