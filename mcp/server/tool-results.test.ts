import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Tool } from '@modelcontextprotocol/client';
import type { ToolEntry, ToolOutcome } from '../../src/chat/ports.js';
import { toOpenAiTool } from '../mapping.js';
import { sameTools, toCallToolResult, toMcpTool, toMcpTools } from './tool-results.js';
import { toolNameSet } from '../../src/chat/tool-name-set.js';

const definition: Tool = {
  name: 'search',
  title: 'Search docs',
  description: 'Searches the docs',
  inputSchema: { type: 'object', properties: { q: { type: 'string' } }, required: ['q'] },
  outputSchema: { type: 'object', properties: { hits: { type: 'number' } } },
  annotations: { readOnlyHint: true },
};
const entry = { name: 'docs__search', server: 'docs', tool: 'search', definition, openai: toOpenAiTool('docs__search', definition) };

describe('toMcpTool', () => {
  test('uses the gateway name and keeps description, schemas, title and annotations', () => {
    assert.deepEqual(toMcpTool(entry), { ...definition, name: 'docs__search' });
  });

  test('an entry without its definition still has name, description and inputSchema', () => {
    const bare: ToolEntry = { name: entry.name, server: 'docs', tool: 'search', openai: entry.openai };
    assert.deepEqual(toMcpTool(bare), { name: 'docs__search', description: 'Searches the docs', inputSchema: definition.inputSchema });
  });

  test('a tool without inputSchema gets the empty object schema', () => {
    const noSchema = { ...definition, inputSchema: undefined } as unknown as Tool;
    const e = { ...entry, definition: noSchema, openai: toOpenAiTool('docs__search', noSchema) };
    assert.deepEqual(toMcpTool(e).inputSchema, { type: 'object', properties: {} });
  });

  test('lists and name sets are built once per tool list', () => {
    const list = [entry];
    assert.equal(toMcpTools(list), toMcpTools(list));
    assert.equal(toolNameSet(list), toolNameSet(list));
    assert.ok(toolNameSet(list).has('docs__search'));
  });
});

describe('sameTools', () => {
  test('compares entries by identity', () => {
    assert.ok(sameTools([entry], [entry]));
    assert.ok(!sameTools([entry], [{ ...entry }]));
    assert.ok(!sameTools([entry], []));
  });
});

describe('toCallToolResult', () => {
  const base: ToolOutcome = { status: 'ok', content: 'x', isError: false, latencyMs: 1 };

  test('a call that ran returns the server’s result untouched, errors included', () => {
    const raw = { content: [{ type: 'image', data: 'AA==', mimeType: 'image/png' }], structuredContent: { hits: 1 } };
    assert.equal(toCallToolResult({ ...base, raw }), raw);
    const failed = { content: [{ type: 'text', text: 'boom' }], isError: true };
    assert.equal(toCallToolResult({ ...base, status: 'error', isError: true, raw: failed }), failed);
  });

  test('a refusal or failure is a tool error carrying the gateway’s reason text', () => {
    const content = JSON.stringify({ error: { reason: 'tool_denied', message: 'no' } });
    assert.deepEqual(toCallToolResult({ ...base, status: 'error', isError: true, content }), {
      content: [{ type: 'text', text: content }],
      isError: true,
    });
    assert.deepEqual(toCallToolResult({ ...base, status: 'timeout', isError: true, content: 't' }).isError, true);
  });

  test('a legacy result without content falls back to the text outcome', () => {
    assert.deepEqual(toCallToolResult({ ...base, content: '{"a":1}', raw: { toolResult: { a: 1 } } }), {
      content: [{ type: 'text', text: '{"a":1}' }],
      isError: false,
    });
  });
});
