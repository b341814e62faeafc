import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeySecret, hashKey, parseVirtualKey } from './keys.js';

const headers = (h: Record<string, string>) => ({ get: (name: string) => h[name.toLowerCase()] ?? null });

describe('keys', () => {
  test('secrets are tg- plus 32 random bytes in base64url, all different', () => {
    const a = generateKeySecret();
    assert.match(a, /^tg-[A-Za-z0-9_-]{43}$/);
    assert.equal(Buffer.from(a.slice(3), 'base64url').length, 32);
    assert.notEqual(a, generateKeySecret());
  });

  test('hashKey is sha256 hex', () => {
    assert.equal(hashKey('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  test('reads x-bf-vk first, then Authorization: Bearer', () => {
    assert.equal(parseVirtualKey(headers({ 'x-bf-vk': ' tg-a ', authorization: 'Bearer tg-b' })), 'tg-a');
    assert.equal(parseVirtualKey(headers({ authorization: 'bearer  tg-b' })), 'tg-b');
    assert.equal(parseVirtualKey(headers({ authorization: 'Basic abc' })), undefined);
    assert.equal(parseVirtualKey(headers({ 'x-bf-vk': '' })), undefined);
    assert.equal(parseVirtualKey(headers({})), undefined);
  });
});
