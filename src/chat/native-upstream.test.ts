import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough, Readable } from 'node:stream';
import { GatewayError } from '../errors.js';
import type { UpstreamResponse } from '../upstream/client.js';
import { relayItems, type RelayItem } from './native-upstream.js';

const response = (body: Readable): UpstreamResponse => ({ status: 200, headers: {}, body: body as UpstreamResponse['body'] });

async function batchesOf(parts: (string | Uint8Array)[]): Promise<RelayItem[][]> {
  const out: RelayItem[][] = [];
  for await (const batch of relayItems(response(Readable.from(parts)), 'http://upstream/v1/messages', new AbortController().signal))
    out.push(batch);
  return out;
}

describe('relayItems', () => {
  test('one batch per body chunk that completes items, in stream order, comments included; split frames reassembled', async () => {
    const bytes = Buffer.from('event: ping\ndata: {"type":"ping","t":"é"}\n\n');
    const cut = bytes.indexOf(0xc3) + 1; // inside the two bytes of é
    const batches = await batchesOf([
      'event: message_start\ndata: {"a":1}\n\n: keep-alive\n\ndata: {"b":2}\n\n',
      bytes.subarray(0, cut),
      bytes.subarray(cut),
    ]);
    assert.deepEqual(batches, [
      [{ type: 'message_start', data: '{"a":1}' }, { comment: 'keep-alive' }, { type: 'message', data: '{"b":2}' }],
      [{ type: 'ping', data: '{"type":"ping","t":"é"}' }],
    ]);
  });

  test('each batch is handed on as its chunk arrives, before the body ends', async () => {
    const body = new PassThrough();
    const items = relayItems(response(body), 'http://upstream/v1/messages', new AbortController().signal);
    body.write('event: a\ndata: 1\n\n');
    assert.deepEqual((await items.next()).value, [{ type: 'a', data: '1' }]);
    body.end('event: b\ndata: 2\n\n');
    assert.deepEqual((await items.next()).value, [{ type: 'b', data: '2' }]);
    assert.equal((await items.next()).done, true);
  });

  test('a body that breaks is a network error, and a consumer that stops early frees the body', async () => {
    const broken = new PassThrough();
    const items = relayItems(response(broken), 'http://upstream/v1/messages', new AbortController().signal);
    broken.write('event: a\ndata: 1\n\n');
    await items.next();
    broken.destroy(new Error('socket hang up'));
    await assert.rejects(items.next(), (err: unknown) => err instanceof GatewayError);

    const body = new PassThrough();
    const early = relayItems(response(body), 'http://upstream/v1/messages', new AbortController().signal);
    body.write('event: a\ndata: 1\n\n');
    await early.next();
    await early.return(undefined);
    assert.equal(body.destroyed, true);
  });
});
