import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { countTokens } from 'gpt-tokenizer/encoding/cl100k_base';
import { countTokens as countO200k } from 'gpt-tokenizer/encoding/o200k_base';
import type { ChatRequest } from '../openai/types.js';
import { DEFAULT_IMAGE_TOKENS, MESSAGE_OVERHEAD, promptTokenBound, REPLY_OVERHEAD, TOOLS_PREAMBLE } from './prompt-bound.js';

const user = (content: ChatRequest['messages'][number]['content']): ChatRequest => ({
  model: 'm',
  messages: [{ role: 'user', content } as ChatRequest['messages'][number]],
});

describe('prompt token bound', () => {
  test('text: one token per UTF-8 byte at most, whatever the script (checked against real BPE tokenizers)', () => {
    const samples = [
      'The quick brown fox jumps over the lazy dog.',
      '東京は日本の首都であり、世界でも有数の大都市です。',
      'Привет, как дела? Ελληνικά. עברית. العربية. हिन्दी. 😀🎉🧪',
      '\u0000\u0001 control chars and ￿ odd code points \uFFFD',
    ];
    for (const text of samples) {
      const bound = promptTokenBound(user(text));
      const textBound = bound - REPLY_OVERHEAD - MESSAGE_OVERHEAD - 'user'.length;
      assert.equal(textBound, Buffer.byteLength(text));
      assert.ok(countTokens(text) <= textBound, `cl100k: ${countTokens(text)} > ${textBound} for ${text}`);
      assert.ok(countO200k(text) <= textBound, `o200k: ${countO200k(text)} > ${textBound}`);
    }
  });

  test('images count as the model bound (default 3,800), tools as their JSON plus a preamble', () => {
    const image = { type: 'image_url', image_url: { url: 'https://example.com/x.png' } };
    const withImage = promptTokenBound(user([image as never]));
    assert.equal(withImage, REPLY_OVERHEAD + MESSAGE_OVERHEAD + 4 + DEFAULT_IMAGE_TOKENS);
    assert.equal(promptTokenBound(user([image as never]), { maxImageTokens: 48_170 }), withImage - DEFAULT_IMAGE_TOKENS + 48_170);
    const tool = { type: 'function' as const, function: { name: 'f', parameters: { type: 'object' } } };
    const withTool = promptTokenBound({ ...user('x'), tools: [tool] });
    assert.equal(withTool - promptTokenBound(user('x')), TOOLS_PREAMBLE + 16 + Buffer.byteLength(JSON.stringify(tool.function)));
  });

  test('the preamble covers the largest tool-use system prompt Anthropic documents (Opus 4.7, any/tool: 804)', () => {
    // platform.claude.com/docs/en/agents-and-tools/tool-use/overview, Pricing (prompt-bound.ts has the table).
    const documented = {
      'opus-4.8': [290, 410],
      'opus-4.7': [675, 804],
      'sonnet-4.6': [497, 589],
      'haiku-4.5': [496, 588],
      'sonnet-5': [354, 474],
    };
    const tool = { type: 'function' as const, function: { name: 'f', parameters: { type: 'object' } } };
    const added =
      promptTokenBound({ ...user('x'), tools: [tool] }) -
      promptTokenBound(user('x')) -
      16 -
      Buffer.byteLength(JSON.stringify(tool.function));
    for (const [model, figures] of Object.entries(documented))
      for (const n of figures) assert.ok(added >= n, `${model}: ${n} tokens > the preamble's ${added}`);
  });

  test('tool calls, tool results, names and the response format all count', () => {
    const req: ChatRequest = {
      model: 'm',
      messages: [
        { role: 'user', content: 'a', name: 'bob' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{"x":1}' } }] },
        { role: 'tool', tool_call_id: 'c1', content: 'result' },
      ],
      response_format: { type: 'json_schema', json_schema: { name: 's', schema: { type: 'object' } } },
    };
    const bound = promptTokenBound(req);
    const parts = ['user', 'a', 'bob', 'assistant', 'c1', 'f', '{"x":1}', 'tool', 'c1', 'result', JSON.stringify(req.response_format)];
    assert.equal(bound, REPLY_OVERHEAD + 3 * MESSAGE_OVERHEAD + 16 + parts.reduce((n, p) => n + Buffer.byteLength(p), 0));
  });
});
