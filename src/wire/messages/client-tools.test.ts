import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { clientToolTokens, unknownToolType } from './client-tools.js';
import type { Tool } from './types.js';

const tool = (type?: string) => ({ name: 't', ...(type === undefined ? {} : { type }) }) as Tool;

describe('Anthropic client tools', () => {
  test("each family counts Anthropic's documented prompt, whatever its date; other tools count none", () => {
    assert.deepEqual(
      ['bash_20250124', 'text_editor_20250728', 'text_editor_20241022', 'computer_20251124', 'memory_20250818', 'bash'].map((t) =>
        clientToolTokens(tool(t)),
      ),
      [245, 700, 700, 1_234, 1_500, 245],
    );
    for (const t of [undefined, 'custom', 'web_search_20250305', 'constructor', 'toString_20250101'])
      assert.equal(clientToolTokens(tool(t)), 0, String(t));
  });

  test('a type that is neither plain, client nor server is unknown (names of Object.prototype included)', () => {
    const known = [
      tool(),
      tool('custom'),
      tool('bash_20250124'),
      tool('web_fetch_20250910'),
      tool('code_execution_20250825'),
      tool('mcp_toolset'),
    ];
    assert.equal(unknownToolType(known), -1);
    assert.equal(unknownToolType(undefined), -1);
    assert.equal(unknownToolType([...known, tool('advisor_20260301')]), known.length);
    for (const t of ['constructor', 'hasOwnProperty', '__proto__']) assert.equal(unknownToolType([tool(t)]), 0, t);
  });
});
