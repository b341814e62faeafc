import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DeltaFrames } from './chunk-frame.js';
import { chunk, type ChunkStamp } from './respond.js';

const expected = (stamp: ChunkStamp, delta: object, logprobs?: unknown) =>
  JSON.stringify(chunk(stamp, [{ index: 0, delta, finish_reason: null, ...(logprobs != null ? { logprobs } : {}) } as never]));

describe('DeltaFrames', () => {
  test('the same text as the chunk object stringified, as the stamp changes between deltas', () => {
    const stamp: ChunkStamp = { id: 'chatcmpl-"quoted"\\id', created: 1_700_000_000, model: '' };
    const frames = new DeltaFrames(stamp);
    const deltas: [object, unknown?][] = [
      [{ role: 'assistant', content: 'Hé "there"\n' }],
      [{ content: ' you' }, { content: [{ token: ' you', logprob: -0.5, bytes: [32], top_logprobs: [] }], refusal: null }],
      [{ refusal: 'no' }, null],
      [{ tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }] }],
    ];
    const stamps: ((s: ChunkStamp) => void)[] = [
      (s) => (s.model = 'gpt-4o-mini'),
      (s) => (s.system_fingerprint = 'fp_1'),
      (s) => (s.service_tier = 'default'),
      (s) => (s.system_fingerprint = 'fp_2'),
    ];
    for (let i = 0; i < deltas.length; i++) {
      stamps[i]!(stamp);
      const [delta, logprobs] = deltas[i]!;
      assert.equal(frames.text(delta, logprobs), expected(stamp, delta, logprobs));
      assert.deepEqual(JSON.parse(frames.text(delta, logprobs)), JSON.parse(expected(stamp, delta, logprobs)));
    }
  });

  test('a null fingerprint or tier is left out, as the chunk object leaves it out', () => {
    const stamp: ChunkStamp = { id: 'chatcmpl-1', created: 1, model: 'm', system_fingerprint: null, service_tier: null };
    assert.equal(new DeltaFrames(stamp).text({ content: 'x' }), expected(stamp, { content: 'x' }));
  });
});
