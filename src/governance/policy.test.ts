import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { OPEN_POLICY, compilePolicy, decideModel, decideTool, filterTools } from './policy.js';
import { narrowTools, parseToolsHeader } from './tools-header.js';

const policy = compilePolicy({
  id: 'eng',
  models: ['openai/*', 'anthropic/claude-*'],
  tools: { allow: ['everything__*', 'docs__search'], deny: ['everything__trigger-long-running-operation'] },
  toolLimits: [],
  rateLimit: undefined,
});

describe('decideTool', () => {
  test('allow globs allow, others are not allowed', () => {
    assert.deepEqual(decideTool(policy, 'everything__echo'), { allowed: true });
    assert.deepEqual(decideTool(policy, 'docs__search'), { allowed: true });
    const d = decideTool(policy, 'docs__delete');
    assert.equal(d.allowed, false);
    assert.equal(!d.allowed && d.reason, 'tool_not_allowed');
    assert.match(!d.allowed ? d.message : '', /docs__delete.*eng/);
  });

  test('deny wins over allow', () => {
    const d = decideTool(policy, 'everything__trigger-long-running-operation');
    assert.equal(!d.allowed && d.reason, 'tool_denied');
    const both = compilePolicy({ id: 'k', models: [], tools: { allow: ['*'], deny: ['*'] }, toolLimits: [], rateLimit: undefined });
    assert.equal(decideTool(both, 'a__b').allowed, false);
  });

  test('an empty allow list means no tools', () => {
    const none = compilePolicy({ id: 'k', models: ['*'], tools: { allow: [], deny: [] }, toolLimits: [], rateLimit: undefined });
    assert.equal(decideTool(none, 'everything__echo').allowed, false);
  });

  test('the open policy allows every tool and model', () => {
    assert.equal(decideTool(OPEN_POLICY, 'x__y').allowed, true);
    assert.equal(decideModel(OPEN_POLICY, 'any', 'model').allowed, true);
  });

  test('filterTools works on OpenAI and MCP-shaped tools', () => {
    const openai = [
      { type: 'function', function: { name: 'docs__search' } },
      { type: 'function', function: { name: 'docs__drop' } },
    ];
    assert.deepEqual(
      filterTools(policy, openai).map((t) => t.function.name),
      ['docs__search'],
    );
    const mcp = [{ name: 'everything__echo' }, { name: 'everything__trigger-long-running-operation' }];
    assert.deepEqual(
      filterTools(policy, mcp).map((t) => t.name),
      ['everything__echo'],
    );
    assert.deepEqual(
      filterTools(policy, [{ id: 'docs__search' }], (t) => t.id),
      [{ id: 'docs__search' }],
    );
  });
});

describe('decideModel', () => {
  test('allowed models pass', () => {
    assert.deepEqual(decideModel(policy, 'openai', 'gpt-4o-mini'), { allowed: true });
    assert.deepEqual(decideModel(policy, 'anthropic', 'claude-sonnet-4'), { allowed: true });
  });

  test('a model the provider patterns cannot reach at all is provider_blocked', () => {
    const d = decideModel(policy, 'local', 'llama3');
    assert.equal(d.allowed, false);
    if (d.allowed) return;
    assert.equal(d.error.status, 403);
    assert.equal(d.error.type, 'provider_blocked');
    assert.match(d.error.message, /local\/llama3/);
    assert.match(d.error.message, /virtual key eng/);
  });

  test('another model of an allowed provider is model_blocked', () => {
    const d = decideModel(policy, 'anthropic', 'gpt-4o');
    assert.equal(d.allowed, false);
    if (d.allowed) return;
    assert.equal(d.error.status, 403);
    assert.equal(d.error.type, 'model_blocked');
    assert.match(d.error.message, /anthropic\/gpt-4o.*virtual key eng/);
  });
});

describe('x-tollgate-tools', () => {
  test('parses none, lists and absence', () => {
    assert.equal(parseToolsHeader(undefined), undefined);
    assert.equal(parseToolsHeader(null), undefined);
    assert.equal(parseToolsHeader('  '), undefined);
    assert.deepEqual(parseToolsHeader('None'), { kind: 'none' });
    assert.deepEqual(parseToolsHeader('docs__search, everything__* ,'), { kind: 'list', patterns: ['docs__search', 'everything__*'] });
  });

  test('none removes every tool', () => {
    const p = narrowTools(policy, parseToolsHeader('none'));
    assert.equal(decideTool(p, 'docs__search').allowed, false);
    assert.equal(decideTool(policy, 'docs__search').allowed, true, 'the key policy itself is untouched');
  });

  test('a list narrows, globs included', () => {
    const p = narrowTools(policy, parseToolsHeader('everything__e*'));
    assert.equal(decideTool(p, 'everything__echo').allowed, true);
    assert.equal(decideTool(p, 'everything__add').allowed, false);
    assert.equal(decideTool(p, 'docs__search').allowed, false);
  });

  test('never widens: tools outside the key allow-list or denied stay refused', () => {
    const p = narrowTools(policy, parseToolsHeader('*,docs__delete,everything__trigger-long-running-operation'));
    assert.equal(decideTool(p, 'docs__delete').allowed, false);
    assert.equal(decideTool(p, 'everything__trigger-long-running-operation').allowed, false);
    assert.equal(decideTool(p, 'docs__search').allowed, true);
    const twice = narrowTools(narrowTools(policy, parseToolsHeader('docs__search')), parseToolsHeader('*'));
    assert.equal(decideTool(twice, 'everything__echo').allowed, false);
  });

  test('no header leaves the policy as is', () => {
    assert.equal(narrowTools(policy, parseToolsHeader(undefined)), policy);
  });
});
