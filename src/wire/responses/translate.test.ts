// Responses ⇄ Chat translation against recorded request/response shapes (fixtures/): what a chat
// upstream is sent for a Responses request, what the client gets back, and the 400s that name
// whatever a chat upstream cannot be told.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { GatewayError } from '../../errors.js';
import { parseResponsesRequest } from './request-schema.js';
import { responsesToChat } from './to-chat.js';
import { responseObject, statusOf, toChatUsage, toResponsesUsage, turnItems } from './from-chat.js';

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8'));
const opts = { gatewayToolName: (server: string, tool: string) => (server === 'docs' ? `docs__${tool}` : undefined) };
const seq = () => {
  let n = 0;
  return (prefix: string) => `${prefix}_${++n}`;
};

function rejects(fn: () => unknown, param: string, pattern: RegExp) {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof GatewayError);
    assert.equal(e.status, 400);
    assert.equal(e.param, param);
    assert.match(e.message, pattern);
    return true;
  });
}

describe('responses request schema', () => {
  test('input as a string or as items; a bad item names its path', () => {
    assert.equal(parseResponsesRequest({ model: 'm', input: 'hi' }).input, 'hi');
    rejects(
      () =>
        parseResponsesRequest({
          model: 'm',
          input: [
            { role: 'user', content: 'x' },
            { type: 'function_call', call_id: 'c', name: 'n' },
          ],
        }),
      'input[1].arguments',
      /expected string/,
    );
    rejects(
      () => parseResponsesRequest({ model: 'm', tools: [{ type: 'function', name: 'bad name' }], input: 'x' }),
      'tools[0].name',
      /tool names/,
    );
    rejects(() => parseResponsesRequest({ model: 'm' }), 'input', /required unless previous_response_id/);
  });

  test('unknown items and tools are kept as sent (for native upstreams)', () => {
    const req = parseResponsesRequest(fixture('request-codex.json'));
    assert.deepEqual(req.tools?.[1], { type: 'web_search', external_web_access: false });
    assert.equal((req.input as { type?: string }[])[3]!.type, 'reasoning');
    assert.equal(req.prompt_cache_key, '0199a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b');
  });
});

describe('responses → chat', () => {
  test('a Codex turn: instructions first, items to messages, function call and output paired', () => {
    const req = parseResponsesRequest(fixture('request-codex.json'));
    req.tools = req.tools!.filter((t) => t.type === 'function');
    const { chat } = responsesToChat(req, [], opts);
    assert.equal(chat.model, 'gpt-5-codex');
    assert.deepEqual(
      chat.messages.map((m) => m.role),
      ['system', 'developer', 'user', 'user', 'assistant', 'tool'],
    );
    assert.deepEqual(chat.messages[3], { role: 'user', content: [{ type: 'text', text: 'list the files' }] });
    assert.deepEqual(chat.messages[4], {
      role: 'assistant',
      content: null,
      tool_calls: [{ id: 'call_Xy12', type: 'function', function: { name: 'exec_command', arguments: '{"cmd":"ls"}' } }],
    });
    assert.deepEqual(chat.messages[5], { role: 'tool', tool_call_id: 'call_Xy12', content: 'README.md\nsrc\n' });
    assert.equal(chat.tools?.[0]?.function.name, 'exec_command');
    assert.equal(chat.tools?.[0]?.function.strict, false);
    assert.equal(chat.tool_choice, 'auto');
    assert.equal(chat.parallel_tool_calls, false);
    assert.equal(chat.reasoning_effort, 'medium');
    assert.equal(chat.prompt_cache_key, '0199a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b');
    assert.equal(chat.stream, true);
    for (const gatewayOnly of ['store', 'include', 'input', 'instructions', 'reasoning']) assert.equal(chat[gatewayOnly], undefined);
  });

  test('a tool a chat upstream cannot run is a 400 naming it; web_search is left out with a warning', () => {
    const req = parseResponsesRequest(fixture('request-codex.json'));
    assert.deepEqual(responsesToChat(req, [], opts).warnings, [
      'tools[1] (web_search) not offered: the upstream cannot run it',
      'reasoning items not sent: a chat upstream takes no reasoning input',
    ]);
    req.tools!.push({ type: 'custom', name: 'apply_patch', format: { type: 'grammar' } });
    rejects(() => responsesToChat(req, [], opts), 'tools[2]', /custom.*native Responses upstream/);
  });

  test("Codex's namespace tools become ns__name functions, and namespaced calls in the history map back", () => {
    const req = parseResponsesRequest({
      model: 'm',
      tools: [
        {
          type: 'namespace',
          name: 'multi_agent_v1',
          description: 'd',
          tools: [{ type: 'function', name: 'spawn', parameters: { type: 'object' } }],
        },
      ],
      input: [
        { role: 'user', content: 'go' },
        { type: 'function_call', call_id: 'c1', name: 'spawn', namespace: 'multi_agent_v1', arguments: '{}' },
        { type: 'function_call_output', call_id: 'c1', output: 'ok' },
      ],
    });
    const { chat, namespaced } = responsesToChat(req, [], opts);
    assert.equal(chat.tools?.[0]?.function.name, 'multi_agent_v1__spawn');
    assert.deepEqual(namespaced.get('multi_agent_v1__spawn'), { namespace: 'multi_agent_v1', name: 'spawn' });
    assert.equal(
      (chat.messages[1] as { tool_calls: { function: { name: string } }[] }).tool_calls[0]!.function.name,
      'multi_agent_v1__spawn',
    );
  });

  test('an item a chat upstream cannot take is a 400 naming it; so is an unknown top-level field', () => {
    rejects(
      () => responsesToChat(parseResponsesRequest({ model: 'm', input: [{ type: 'local_shell_call', id: 'x', call_id: 'c' }] }), [], opts),
      'input[0]',
      /local_shell_call/,
    );
    rejects(
      () => responsesToChat(parseResponsesRequest({ model: 'm', input: 'x', truncation: 'auto' }), [], opts),
      'truncation',
      /no Chat/,
    );
    rejects(
      () =>
        responsesToChat(
          parseResponsesRequest({ model: 'm', input: [{ role: 'user', content: [{ type: 'input_image', file_id: 'file-1' }] }] }),
          [],
          opts,
        ),
      'input[0].content[0]',
      /file_id/,
    );
  });

  test('output cap, text format, sampling and previous history', () => {
    const req = parseResponsesRequest({
      model: 'm',
      input: 'next',
      instructions: 'be brief',
      max_output_tokens: 64,
      temperature: 0.2,
      text: { format: { type: 'json_schema', name: 'answer', schema: { type: 'object' }, strict: true }, verbosity: 'low' },
      tool_choice: { type: 'function', name: 'f' },
    });
    const { chat } = responsesToChat(
      req,
      [
        { role: 'user', content: 'first' },
        { role: 'assistant', content: 'one' },
      ],
      opts,
    );
    assert.deepEqual(chat.messages, [
      { role: 'system', content: 'be brief' },
      { role: 'user', content: 'first' },
      { role: 'assistant', content: 'one' },
      { role: 'user', content: 'next' },
    ]);
    assert.equal(chat.max_completion_tokens, 64);
    assert.equal(chat.temperature, 0.2);
    assert.deepEqual(chat.response_format, {
      type: 'json_schema',
      json_schema: { name: 'answer', schema: { type: 'object' }, strict: true },
    });
    assert.equal(chat.verbosity, 'low');
    assert.deepEqual(chat.tool_choice, { type: 'function', function: { name: 'f' } });
  });

  test('echoed mcp_call items become the gateway call and its result; mcp tools are handed back', () => {
    const req = parseResponsesRequest({
      model: 'm',
      tools: [{ type: 'mcp', server_label: 'docs', require_approval: 'never' }],
      input: [
        { role: 'user', content: 'search' },
        { type: 'mcp_list_tools', id: 'mcpl_1', server_label: 'docs', tools: [] },
        { type: 'mcp_call', id: 'mcp_1', server_label: 'docs', name: 'search', arguments: '{"q":"x"}', output: 'found' },
      ],
    });
    const { chat, mcpTools } = responsesToChat(req, [], opts);
    assert.deepEqual(chat.messages.slice(1), [
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'mcp_1', type: 'function', function: { name: 'docs__search', arguments: '{"q":"x"}' } }],
      },
      { role: 'tool', tool_call_id: 'mcp_1', content: 'found' },
    ]);
    assert.equal(chat.tools, undefined);
    assert.deepEqual(mcpTools, [{ type: 'mcp', server_label: 'docs', require_approval: 'never' }]);
  });
});

describe('chat → responses', () => {
  test('a tool-calling turn becomes the items of the recorded response, usage included', () => {
    const recorded = fixture('response-function-call.json');
    const items = turnItems(
      {
        content: null,
        toolCalls: [
          {
            id: 'call_S1c4lTpCQjLZxJwVGxnwJy4T',
            type: 'function',
            function: { name: 'get_weather', arguments: '{"location":"Paris, France"}' },
          },
        ],
      },
      seq(),
    );
    assert.deepEqual(items, [{ ...recorded.output[0], id: 'fc_1' }]);
    const usage = toChatUsage(recorded.usage);
    assert.deepEqual(usage, { prompt_tokens: 75, completion_tokens: 18, total_tokens: 93 });
    assert.deepEqual(toResponsesUsage(usage), recorded.usage);
  });

  test('text, refusal and reasoning map to their items; cached and reasoning tokens survive the round trip', () => {
    const items = turnItems({ content: 'hi', reasoning: 'thinking…', toolCalls: [] }, seq());
    assert.deepEqual(
      items.map((i) => i.type),
      ['reasoning', 'message'],
    );
    assert.deepEqual(items[1], {
      type: 'message',
      id: 'msg_2',
      role: 'assistant',
      status: 'completed',
      content: [{ type: 'output_text', text: 'hi', annotations: [], logprobs: [] }],
    });
    const refusal = turnItems({ content: null, refusal: 'no', toolCalls: [] }, seq());
    assert.deepEqual((refusal[0] as { content: unknown }).content, [{ type: 'refusal', refusal: 'no' }]);
    const usage = {
      prompt_tokens: 10,
      completion_tokens: 7,
      total_tokens: 17,
      prompt_tokens_details: { cached_tokens: 4 },
      completion_tokens_details: { reasoning_tokens: 3 },
    };
    assert.deepEqual(toChatUsage(toResponsesUsage(usage)), usage);
  });

  test('finish reasons map to status; the response echoes the request settings', () => {
    assert.deepEqual(statusOf('length'), { status: 'incomplete', incomplete: { reason: 'max_output_tokens' } });
    assert.deepEqual(statusOf('tool_calls'), { status: 'completed', incomplete: null });
    const req = parseResponsesRequest({ model: 'openai/gpt-4.1', input: 'x', instructions: 'i', store: false, max_output_tokens: 9 });
    const body = responseObject(
      { id: 'resp_1', createdAt: 5, model: 'gpt-4.1', request: req },
      { status: 'completed', output: [], usage: null },
    );
    const recorded = fixture('response-function-call.json');
    for (const key of Object.keys(body)) assert.ok(key in recorded, `${key} is a field of the recorded response`);
    assert.equal(body.instructions, 'i');
    assert.equal(body.store, false);
    assert.equal(body.max_output_tokens, 9);
  });
});
