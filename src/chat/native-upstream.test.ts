import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough, Readable } from 'node:stream';
import { GatewayError } from '../errors.js';
import { streamOf, type UpstreamResponse, type UpstreamStream } from '../upstream/client.js';
import { relayStream } from './native-upstream.js';

/** An item as a test compares it: an event's type and data, or a comment's text. */
type Item = { type: string; data: string } | { comment: string };
const itemOf = (type: string | undefined, data: string): Item => (type === undefined ? { comment: data } : { type, data });

const URL = 'http://upstream/v1/messages';
const response = (body: Readable): UpstreamStream => streamOf({ status: 200, headers: {}, body: body as UpstreamResponse['body'] }, 60_000);
const signal = () => new AbortController().signal;

describe('relayStream', () => {
  test('events with their raw data and comment lines, in stream order; frames split across chunks reassembled', async () => {
    const bytes = Buffer.from('event: ping\ndata: {"type":"ping","t":"é"}\n\n');
    const cut = bytes.indexOf(0xc3) + 1; // inside the two bytes of é
    const body = Readable.from([
      'event: message_start\ndata: {"a":1}\n\n: keep-alive\n\ndata: {"b":2}\n\n',
      bytes.subarray(0, cut),
      bytes.subarray(cut),
    ]);
    const items: Item[] = [];
    await relayStream(response(body), URL, signal(), (type, data) => items.push(itemOf(type, data)));
    assert.deepEqual(items, [
      { type: 'message_start', data: '{"a":1}' },
      { comment: 'keep-alive' },
      { type: 'message', data: '{"b":2}' },
      { type: 'ping', data: '{"type":"ping","t":"é"}' },
    ]);
  });

  test('each item is handed on as its bytes arrive, before the body ends', async () => {
    const body = new PassThrough();
    const seen: string[] = [];
    const done = relayStream(response(body), URL, signal(), (_type, data) => seen.push(data));
    body.write('event: a\ndata: 1\n\n');
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(seen, ['1']);
    body.end('event: b\ndata: 2\n\n');
    await done;
    assert.deepEqual(seen, ['1', '2']);
  });

  test('a body that breaks is a network error; what the consumer throws comes back as it is, and the body is freed', async () => {
    const broken = new PassThrough();
    const reading = relayStream(response(broken), URL, signal(), () => undefined);
    broken.write('event: a\ndata: 1\n\n');
    await new Promise((r) => setImmediate(r));
    broken.destroy(new Error('socket hang up'));
    await assert.rejects(reading, (err: unknown) => err instanceof GatewayError);

    const body = new PassThrough();
    const mine = Object.assign(new Error('not a GatewayError'), { marked: true });
    const stopped = relayStream(response(body), URL, signal(), () => {
      throw mine;
    });
    body.write('event: a\ndata: 1\n\n');
    await assert.rejects(stopped, (err: unknown) => err === mine);
    assert.equal(body.destroyed, true);
  });

  test('an item the consumer calls the last (true) resolves the read there: the rest of the body is read on unseen, and its failure rejects nothing', async () => {
    const body = new PassThrough();
    const seen: string[] = [];
    const reading = relayStream(response(body), URL, signal(), (type, data) => {
      seen.push(data);
      return type !== undefined && data === 'stop';
    });
    body.write('event: a\ndata: 1\n\nevent: b\ndata: stop\n\nevent: c\ndata: after\n\n');
    await reading;
    assert.deepEqual(seen, ['1', 'stop']);
    body.write('event: d\ndata: later\n\n');
    await new Promise((r) => setImmediate(r));
    assert.equal(body.destroyed, false, 'not cancelled: the body is read to its end');
    assert.equal(body.readableFlowing, true);
    body.destroy(new Error('socket hang up'));
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(seen, ['1', 'stop']);
  });
});
