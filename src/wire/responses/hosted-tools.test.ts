import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { builtInToolsOf, builtInToolUses, hostedFamily, unknownToolTypeAt } from './hosted-tools.js';
import type { OtherItem, ToolDef } from './types.js';

const item = (type: string) => ({ type, id: `x_${type}` }) as OtherItem;

describe('Responses built-in tools', () => {
  test('families drop the date of either style', () => {
    assert.equal(hostedFamily('web_search_20250305'), 'web_search');
    assert.equal(hostedFamily('web_search_preview_2025_03_11'), 'web_search_preview');
    assert.equal(hostedFamily('file_search'), 'file_search');
  });

  test('found by type, dated or not; function, custom and client-run tools are not', () => {
    assert.equal(
      builtInToolsOf([{ type: 'function', name: 'f', parameters: {} } as ToolDef, { type: 'local_shell' } as ToolDef]),
      undefined,
    );
    assert.deepEqual(
      builtInToolsOf([{ type: 'web_search' }, { type: 'web_search_preview_2025_03_11' }, { type: 'file_search' }] as ToolDef[])!.map(
        (t) => t.key,
      ),
      ['responses/web_search', 'responses/web_search_preview', 'responses/file_search'],
    );
  });

  test('calls counted from output items by kind', () => {
    const offered = builtInToolsOf([{ type: 'web_search' }, { type: 'code_interpreter' }] as ToolDef[])!;
    const output = [
      item('web_search_call'),
      item('message'),
      item('web_search_call'),
      item('code_interpreter_call'),
      item('function_call'),
    ];
    assert.deepEqual(builtInToolUses(offered, output), [
      ['responses/web_search', 2],
      ['responses/code_interpreter', 1],
    ]);
    const preview = builtInToolsOf([{ type: 'web_search_preview' }] as ToolDef[])!;
    assert.deepEqual(builtInToolUses(preview, [item('web_search_call')]), [['responses/web_search_preview', 1]]);
  });

  test('a tool type neither built-in nor one the gateway can bound is unknown', () => {
    const known = [
      'function',
      'custom',
      'namespace',
      'mcp',
      'tool_search',
      'local_shell',
      'shell',
      'apply_patch',
      'computer_use_preview',
      'web_search_preview_2025_03_11',
      'image_generation',
    ];
    assert.equal(unknownToolTypeAt(known.map((type) => ({ type }) as ToolDef)), -1);
    assert.equal(unknownToolTypeAt(undefined), -1);
    assert.equal(unknownToolTypeAt([{ type: 'function' } as ToolDef, { type: 'future_tool' } as ToolDef]), 1);
    assert.equal(unknownToolTypeAt([{ type: 'constructor' } as ToolDef]), 0);
    assert.equal(unknownToolTypeAt([{} as ToolDef]), 0, 'a tool without a type');
  });
});
