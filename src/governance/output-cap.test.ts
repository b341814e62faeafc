import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { GatewayError } from '../errors.js';
import { clientOutputCap, decideOutputCap, withOutputCap } from './output-cap.js';

describe('output cap', () => {
  test('the client cap is either field, both when they agree; disagreeing is a 400 naming max_tokens', () => {
    assert.equal(clientOutputCap({}), undefined);
    assert.equal(clientOutputCap({ max_tokens: 10 }), 10);
    assert.equal(clientOutputCap({ max_completion_tokens: 20, max_tokens: null }), 20);
    assert.equal(clientOutputCap({ max_tokens: 7, max_completion_tokens: 7 }), 7);
    assert.throws(
      () => clientOutputCap({ max_tokens: 100_000, max_completion_tokens: 1 }),
      (e: unknown) => e instanceof GatewayError && e.status === 400 && e.param === 'max_tokens' && e.code === 'conflicting_max_tokens',
    );
  });

  test('reserved = sent: the client cap as is; else, under a budget, the model maximum or the provider default', () => {
    const base = { budgeted: true, modelMaxOutput: 16_384, defaultMaxTokens: 4096 };
    assert.deepEqual(decideOutputCap({ ...base, clientCap: 50 }), { reserve: 50, send: undefined });
    assert.deepEqual(decideOutputCap({ ...base, clientCap: undefined }), { reserve: 16_384, send: 16_384 });
    assert.deepEqual(decideOutputCap({ ...base, clientCap: undefined, modelMaxOutput: undefined }), { reserve: 4096, send: 4096 });
    assert.deepEqual(decideOutputCap({ ...base, clientCap: undefined, budgeted: false }), { reserve: 16_384, send: undefined });
  });

  test('withOutputCap sets the configured field only when the gateway adds a cap', () => {
    const req: { model: string; max_tokens?: number } = { model: 'm' };
    assert.equal(withOutputCap(req, undefined, 'max_completion_tokens'), req);
    assert.deepEqual(withOutputCap(req, 9, 'max_completion_tokens'), { ...req, max_completion_tokens: 9 });
    assert.deepEqual(withOutputCap(req, 9, 'max_tokens'), { ...req, max_tokens: 9 });
  });

  test("withOutputCap moves the client's max_completion_tokens to max_tokens for a server that reads only that", () => {
    const req = { model: 'm', max_completion_tokens: 7 };
    assert.deepEqual(withOutputCap(req, undefined, 'max_tokens'), { model: 'm', max_tokens: 7 });
    assert.deepEqual(withOutputCap({ ...req, max_tokens: 7 }, undefined, 'max_tokens'), { model: 'm', max_tokens: 7 });
    assert.deepEqual(req, { model: 'm', max_completion_tokens: 7 }, "the client's request is not changed");
    assert.equal(withOutputCap(req, undefined, 'max_completion_tokens'), req);
  });
});
