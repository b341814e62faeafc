// A tool rule in another spelling than the gateway's names matches nothing (a deny that denies
// nothing): it stops startup, naming the field and the spelling to write (config-tool-names.ts).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, parseConfig } from './config.js';
import { toolRuleProblem } from './config-tool-names.js';

const failure = (key: Record<string, unknown>, extra: Record<string, unknown> = {}): string => {
  try {
    parseConfig(JSON.stringify({ virtualKeys: [{ id: 'k', key: 'vk-tool-rules-1', ...key }], ...extra }), 'test.json', {});
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.message;
  }
  return assert.fail('expected a ConfigError');
};

const LONG = `docs__${'x'.repeat(70)}`;

describe('tool rules in the gateway spelling', () => {
  test('a raw MCP name in deny, allow, approval or toolLimits stops startup, naming the field and the name to write', () => {
    assert.match(
      failure({ tools: { deny: ['docs__delete.page'] } }),
      /tools\.deny.*"docs__delete\.page" matches no tool.*write "docs__delete_page"/s,
    );
    assert.match(failure({ tools: { allow: ['docs__*', 'wiki__pages/read'] } }), /tools\.allow.*write "wiki__pages_read"/s);
    assert.match(failure({ approval: ['docs__delete page*'] }), /approval.*write "docs__delete_page\*"/s);
    assert.match(failure({ toolLimits: [{ tool: 'docs__search.v2', calls: 1 }] }), /toolLimits.*tool.*write "docs__search_v2"/s);
  });

  test('the long form of a name the gateway shortens stops startup', () => {
    assert.match(failure({ tools: { deny: [LONG] } }), /tools\.deny.*at most 64 characters.*GET \/api\/mcp-servers/s);
    assert.match(failure({ tools: { deny: [`${LONG}*`] } }), /at most 64 characters/);
  });

  test('toolCosts keys are exact gateway names: another spelling would price nothing', () => {
    const message = failure({}, { toolCosts: { 'docs__search.paid': 0.01 } });
    assert.match(message, /toolCosts.*write "docs__search_paid"/s);
    assert.doesNotMatch(message, /"\?"/, 'no glob advice for an exact name');
  });

  test('rules that can match a gateway name load as before', () => {
    for (const rule of ['*', 'docs__*', 'docs__search', 'docs__get-page', 'd?cs__*', `docs__${'x'.repeat(56)}`, `${'*'.repeat(80)}a`])
      assert.equal(toolRuleProblem(rule), undefined, rule);
    assert.equal(
      toolRuleProblem('docs__search*', true),
      '"docs__search*" matches no tool: gateway tool names have only letters, digits, "_" and "-" (the gateway offers MCP tool "a.b" of server "s" as "s__a_b"); write "docs__search_"',
    );
    parseConfig(
      JSON.stringify({
        toolCosts: { docs__search: 0.001 },
        virtualKeys: [
          { id: 'k', key: 'vk-tool-rules-1', tools: { allow: ['docs__*'], deny: ['docs__delete*'] }, approval: ['docs__delete*'] },
        ],
      }),
      'test.json',
      {},
    );
  });
});
