// Hosted MCP's tool filters (OpenAI's `allowed_tools` and `require_approval` filter objects) on the
// key's tools: `tool_names` and `read_only` both narrow, never widen. Before, `read_only` was read
// and ignored: `allowed_tools: {read_only: true}` offered the server's writing tools too, so with
// `require_approval: "never"` the model could run them unasked.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ToolEntry } from '../chat/ports.js';
import { needsApproval, resolveHostedMcp } from './hosted-mcp.js';

const entry = (tool: string, readOnlyHint?: boolean): ToolEntry =>
  Object.assign(
    { name: `docs__${tool}`, server: 'docs', tool, openai: { type: 'function' as const, function: { name: `docs__${tool}` } } },
    {
      definition: { name: tool, inputSchema: { type: 'object' }, ...(readOnlyHint === undefined ? {} : { annotations: { readOnlyHint } }) },
    },
  );
const search = entry('search', true);
const fetchPage = entry('fetch', true);
const deletePage = entry('delete', false);
const publish = entry('publish');
const keyTools = [search, fetchPage, deletePage, publish];
const opts = { servers: new Set(['docs']), operatorApproval: () => false, newId: (p: string) => `${p}_1` };

const offered = (allowed_tools: unknown) =>
  resolveHostedMcp([{ type: 'mcp', server_label: 'docs', allowed_tools, require_approval: 'never' } as never], keyTools, opts).offered.map(
    (t) => t.tool,
  );

describe('hosted MCP tool filters', () => {
  test('allowed_tools: read_only keeps the tools the server annotates read-only; with tool_names, both must hold', () => {
    assert.deepEqual(offered({ read_only: true }), ['search', 'fetch']);
    assert.deepEqual(offered({ read_only: false }), ['delete', 'publish'], 'unannotated tools may write');
    assert.deepEqual(offered({ tool_names: ['search', 'delete'], read_only: true }), ['search']);
    assert.deepEqual(offered({ tool_names: ['search', 'delete'] }), ['search', 'delete']);
    assert.deepEqual(offered(['publish']), ['publish']);
    assert.deepEqual(offered(undefined), ['search', 'fetch', 'delete', 'publish']);
  });

  test('require_approval filters: never {read_only: true} exempts read-only tools only; always wins; an empty filter names nothing', () => {
    const setting = { never: { read_only: true } };
    assert.deepEqual(
      keyTools.map((t) => needsApproval(setting, t)),
      [false, false, true, true],
    );
    assert.equal(needsApproval({ always: { tool_names: ['search'] }, never: { read_only: true } }, search), true);
    assert.equal(needsApproval({ never: {} }, search), true);
    assert.equal(needsApproval({ never: { tool_names: ['publish'] } }, publish), false);
    assert.equal(needsApproval('never', deletePage), false);
    assert.equal(needsApproval(undefined, search), true);
  });
});
