import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { GatewayError } from '../../errors.js';
import { messagesToChat } from './to-chat-request.js';
import type { MessagesRequest } from './types.js';

// A typed tool has no Chat Completions equivalent: a 400 untranslatable_field naming it for what it is.
const refusal = (type: string): GatewayError => {
  const req = { model: 'm', max_tokens: 5, messages: [{ role: 'user', content: 'x' }], tools: [{ type, name: 't' }] } as MessagesRequest;
  try {
    messagesToChat(req, { maxTokensField: 'max_tokens' });
  } catch (err) {
    assert.ok(err instanceof GatewayError);
    return err;
  }
  assert.fail(`${type} was translated`);
};

describe('Messages → Chat: typed tools refused', () => {
  test('an Anthropic client tool is called a client tool Anthropic defines, not a server tool', () => {
    for (const type of ['bash_20250124', 'text_editor_20250728', 'computer_20251124', 'memory_20250818']) {
      const err = refusal(type);
      assert.equal(err.status, 400);
      assert.equal(err.code, 'untranslatable_field');
      assert.equal(err.param, 'tools[0]');
      assert.equal(
        err.message,
        `tools[0]: "${type}" is a client tool Anthropic defines (the client runs it, but only an Anthropic upstream understands its type); this model's provider speaks Chat Completions`,
      );
      assert.doesNotMatch(err.message, /server tool/);
    }
  });

  test('a server tool is still a server tool; any other type is Anthropic’s', () => {
    assert.equal(
      refusal('web_search_20250305').message,
      `tools[0]: the server tool "web_search_20250305" runs only on Anthropic's side; this model's provider speaks Chat Completions`,
    );
    const other = refusal('mcp_toolset');
    assert.equal(other.code, 'untranslatable_field');
    assert.match(other.message, /the tool type "mcp_toolset" is Anthropic's; only an Anthropic upstream understands it/);
  });
});
