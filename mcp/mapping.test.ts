import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Tool } from '@modelcontextprotocol/client';
import { base64Bytes, toOpenAiTool, toolErrorResult, toToolMessage } from './mapping.js';

describe('toOpenAiTool', () => {
  test('keeps the description and passes inputSchema through as parameters', () => {
    const schema = { type: 'object' as const, properties: { q: { type: 'string', minLength: 1 } }, required: ['q'] };
    const tool: Tool = { name: 'search', description: 'Search the docs', inputSchema: schema };
    assert.deepEqual(toOpenAiTool('docs__search', tool), {
      type: 'function',
      function: { name: 'docs__search', description: 'Search the docs', parameters: schema },
    });
  });

  test('defaults parameters to an empty object schema and falls back to the title', () => {
    const tool = { name: 'ping', title: 'Ping it' } as unknown as Tool;
    const fn = toOpenAiTool('s__ping', tool).function;
    assert.deepEqual(fn.parameters, { type: 'object', properties: {} });
    assert.equal(fn.description, 'Ping it');
  });

  test('omits description when the tool has none', () => {
    const fn = toOpenAiTool('s__t', { name: 't', inputSchema: { type: 'object' } }).function;
    assert.equal('description' in fn, false);
  });
});

describe('toToolMessage', () => {
  test('joins text parts with newlines', () => {
    const m = toToolMessage({
      content: [
        { type: 'text', text: 'a' },
        { type: 'text', text: 'b' },
      ],
    });
    assert.equal(m.content, 'a\nb');
    assert.equal(m.isError, false);
    assert.equal(m.parts.length, 2);
  });

  test('images and audio become placeholders, raw parts are kept', () => {
    const image = { type: 'image' as const, data: 'AAAA', mimeType: 'image/png' };
    const audio = { type: 'audio' as const, data: 'AAAAAA==', mimeType: 'audio/wav' };
    const m = toToolMessage({ content: [{ type: 'text', text: 'here' }, image, audio] });
    assert.equal(m.content, 'here\n[image image/png, 3 bytes]\n[audio audio/wav, 4 bytes]');
    assert.deepEqual(m.parts[1], image);
  });

  test('structuredContent is appended as JSON only when there is no text', () => {
    assert.equal(toToolMessage({ content: [], structuredContent: { n: 1 } }).content, '{"n":1}');
    assert.equal(toToolMessage({ content: [{ type: 'text', text: 'n is 1' }], structuredContent: { n: 1 } }).content, 'n is 1');
  });

  test('resources give their text, links and blobs their uri', () => {
    const m = toToolMessage({
      content: [
        { type: 'resource', resource: { uri: 'file:///a.txt', text: 'inside a' } },
        { type: 'resource', resource: { uri: 'file:///b.bin', mimeType: 'application/octet-stream', blob: 'AAAA' } },
        { type: 'resource_link', uri: 'file:///c.md', name: 'c' },
      ],
    });
    assert.equal(m.content, 'inside a\n[resource file:///b.bin application/octet-stream, 3 bytes]\n[resource file:///c.md (c)]');
  });

  test('isError results are prefixed with "Error: "', () => {
    const m = toToolMessage({ isError: true, content: [{ type: 'text', text: 'disk full' }] });
    assert.equal(m.content, 'Error: disk full');
    assert.equal(m.isError, true);
  });

  test('pre-2024-11-05 toolResult results become JSON', () => {
    assert.equal(toToolMessage({ toolResult: { ok: true } }).content, '{"ok":true}');
  });
});

test('base64Bytes counts decoded bytes', () => {
  assert.equal(base64Bytes(Buffer.from('hello world').toString('base64')), 11);
  assert.equal(base64Bytes(''), 0);
});

test('toolErrorResult is a JSON error object with the reason code', () => {
  const content = toolErrorResult('tool_timeout', 'no answer in 30000 ms');
  assert.deepEqual(JSON.parse(content), { error: { reason: 'tool_timeout', message: 'no answer in 30000 ms' } });
});
