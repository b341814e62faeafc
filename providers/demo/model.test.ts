// The demo model's choices: echo, call a tool the message asks for (arguments from the message),
// report tool results, and never call a tool when tool_choice is "none".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChatRequest, FunctionTool } from '../../src/openai/types.js';
import { demoCompletion } from './model.js';

const sum: FunctionTool = {
  type: 'function',
  function: {
    name: 'everything__get-sum',
    parameters: { type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } }, required: ['a', 'b'] },
  },
};
const echo: FunctionTool = {
  type: 'function',
  function: {
    name: 'everything__echo',
    parameters: { type: 'object', properties: { message: { type: 'string' } }, required: ['message'] },
  },
};
const ask = (content: string, extra: Partial<ChatRequest> = {}): ChatRequest => ({
  model: 'echo',
  messages: [{ role: 'user', content }],
  ...extra,
});

test('echoes the last user message, labelled, with usage', () => {
  const c = demoCompletion(ask('hello'), 'echo', 1, 0);
  assert.equal(c.choices[0]!.message.content, '[tollgate demo model] You said: hello');
  assert.equal(c.choices[0]!.finish_reason, 'stop');
  assert.ok(c.usage!.prompt_tokens > 0 && c.usage!.completion_tokens > 0);
});

test('asked for a tool with numbers in the message: calls the numeric tool with them', () => {
  const c = demoCompletion(ask('What is 2+3? Use a tool.', { tools: [echo, sum] }), 'echo', 7, 0);
  assert.equal(c.choices[0]!.finish_reason, 'tool_calls');
  assert.deepEqual(c.choices[0]!.message.tool_calls, [
    { id: 'call_demo_7', type: 'function', function: { name: 'everything__get-sum', arguments: '{"a":2,"b":3}' } },
  ]);
});

test('a tool named in the message is the one called; text parameters get the message', () => {
  const c = demoCompletion(ask('please echo this', { tools: [sum, echo] }), 'echo', 1, 0);
  assert.deepEqual(JSON.parse(c.choices[0]!.message.tool_calls![0]!.function.arguments), { message: 'please echo this' });
});

test('a client tool without a server prefix is called only when named', () => {
  const x: FunctionTool = { type: 'function', function: { name: 'x', parameters: { type: 'object', properties: {} } } };
  assert.equal(demoCompletion(ask('hello', { tools: [x] }), 'echo', 1, 0).choices[0]!.message.tool_calls, undefined);
  assert.equal(demoCompletion(ask('call x', { tools: [x] }), 'echo', 1, 0).choices[0]!.message.tool_calls?.[0]?.function.name, 'x');
});

test('no tool without being asked, nor with tool_choice "none"', () => {
  assert.equal(demoCompletion(ask('2 and 3', { tools: [sum] }), 'echo', 1, 0).choices[0]!.message.tool_calls, undefined);
  const none = demoCompletion(ask('use a tool: 2 and 3', { tools: [sum], tool_choice: 'none' }), 'echo', 1, 0);
  assert.equal(none.choices[0]!.message.tool_calls, undefined);
});

test('after tool results: reports them', () => {
  const c = demoCompletion(
    {
      model: 'echo',
      messages: [
        { role: 'user', content: 'use a tool' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'x', arguments: '{}' } }] },
        { role: 'tool', tool_call_id: 'c1', content: 'five' },
      ],
    },
    'echo',
    1,
    0,
  );
  assert.equal(c.choices[0]!.message.content, '[tollgate demo model] The tool answered: five');
});
