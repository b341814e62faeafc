import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLabelBounds } from './labels.js';

test('model label: a provider/model entry matches that provider only, split at any slash', () => {
  const bounds = createLabelBounds({
    configuredModels: ['openai/gpt-4o', 'router/meta/llama-3', 'bare-model'],
    configuredProviders: ['openai', 'router', 'router/meta', 'other-provider'],
  });
  assert.equal(bounds.model('openai', 'gpt-4o'), 'gpt-4o');
  assert.equal(bounds.model('other-provider', 'gpt-4o'), 'other');
  // 'router/meta/llama-3' reads as provider 'router' + model 'meta/llama-3', or 'router/meta' + 'llama-3'.
  assert.equal(bounds.model('router', 'meta/llama-3'), 'meta/llama-3');
  assert.equal(bounds.model('router/meta', 'llama-3'), 'llama-3');
  assert.equal(bounds.model('router', 'llama-3'), 'other');
  // An unconfigured provider never qualifies a model, even when the entry names it.
  assert.equal(createLabelBounds({ configuredModels: ['x/y'], configuredProviders: [] }).model('x', 'y'), 'other');
  assert.equal(bounds.model('anything', 'bare-model'), 'bare-model');
  assert.equal(bounds.model(null, 'gpt-4o'), 'other');
  assert.equal(bounds.model('openai', null), 'none');
});
