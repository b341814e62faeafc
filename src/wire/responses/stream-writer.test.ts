// The stream writer against recorded OpenAI streams (fixtures/): the same event names, fields and
// order, sequence numbers from 0 without gaps, and a final output equal to what was streamed.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ResponsesEventWriter } from './stream-writer.js';
import { responseObject } from './from-chat.js';
import type { McpCallItem, McpListToolsItem, StreamEvent } from './types.js';

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8'));

/** The event with ids, sequence numbers and response bodies blanked: what must match the recording. */
function shape(e: Record<string, unknown>): Record<string, unknown> {
  const { sequence_number: _s, response: _r, item_id: _i, ...rest } = e;
  const item = rest.item as Record<string, unknown> | undefined;
  return item ? { ...rest, item: { ...item, id: 'x' } } : rest;
}

function writer() {
  const events: StreamEvent[] = [];
  let n = 0;
  const w = new ResponsesEventWriter(
    (e) => events.push(e),
    (p) => `${p}_${++n}`,
  );
  return { w, events };
}

describe('responses stream writer', () => {
  test('a text answer streams exactly like the recorded one', () => {
    const recorded = (fixture('stream-text.json') as string[]).map((frame) => {
      const [event, data] = frame.split('\n');
      const parsed = JSON.parse(data!.slice('data: '.length));
      assert.equal(event, `event: ${parsed.type}`);
      return parsed;
    });
    const { w, events } = writer();
    const shell = {
      id: 'resp_1',
      createdAt: 1,
      model: 'gpt-4.1',
      request: { model: 'gpt-4.1', instructions: 'You are a helpful assistant.' },
    };
    w.created(responseObject(shell, { status: 'in_progress', output: [], usage: null }));
    w.textDelta('Hi');
    w.textDelta(' there!');
    w.endMessage();
    w.finished(responseObject(shell, { status: 'completed', output: w.output, usage: null }));
    assert.deepEqual(events.map(shape), recorded.map(shape));
    assert.deepEqual(
      events.map((e) => e.sequence_number),
      recorded.map((_, i) => i),
    );
    const completed = events.at(-1)!.response as { output: unknown[] };
    assert.deepEqual(
      completed.output,
      [recorded.at(-2).item].map((i) => ({ ...i, id: 'msg_1' })),
    );
  });

  test('mcp_list_tools and mcp_call items stream like the recorded hosted-MCP response', () => {
    const recorded = fixture('stream-mcp-call.json') as Record<string, unknown>[];
    const { w, events } = writer();
    w.mcpListTools(recorded[3]!.item as McpListToolsItem);
    w.mcpCall(recorded[9]!.item as McpCallItem);
    assert.deepEqual(events.map(shape), recorded.map(shape));
  });

  test('a function call is one item with its argument events; a failed mcp call says failed', () => {
    const { w, events } = writer();
    w.textDelta('calling');
    w.functionCall({ id: 'call_1', type: 'function', function: { name: 'f', arguments: '{"a":1}' } });
    w.mcpCall({
      type: 'mcp_call',
      id: 'mcp_1',
      server_label: 'docs',
      name: 'search',
      arguments: '{}',
      output: null,
      error: 'boom',
      status: 'failed',
    });
    const types = events.map((e) => e.type);
    assert.deepEqual(types.slice(5), [
      'response.output_item.done',
      'response.output_item.added',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.done',
      'response.output_item.done',
      'response.output_item.added',
      'response.mcp_call.in_progress',
      'response.mcp_call_arguments.delta',
      'response.mcp_call_arguments.done',
      'response.mcp_call.failed',
      'response.output_item.done',
    ]);
    assert.deepEqual(
      w.output.map((i) => i.type),
      ['message', 'function_call', 'mcp_call'],
    );
    assert.equal((events[6]!.item as { call_id: string }).call_id, 'call_1');
  });
});
