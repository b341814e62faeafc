import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { GatewayError } from '../../src/errors.js';
import { checkOrigin, isLoopbackAddress, type OriginPolicy } from './origin-guard.js';

const loopback: OriginPolicy = { allowedOrigins: [], allowedHosts: [], loopback: true };
const anywhere: OriginPolicy = { allowedOrigins: [], allowedHosts: [], loopback: false };

function refusal(headers: Record<string, string>, policy: OriginPolicy): string | undefined {
  try {
    checkOrigin(new Headers(headers), policy);
    return undefined;
  } catch (err) {
    assert.ok(err instanceof GatewayError);
    assert.equal(err.status, 403);
    return err.code ?? undefined;
  }
}

describe('checkOrigin', () => {
  test('on loopback, only loopback Host names pass (any port)', () => {
    for (const host of ['127.0.0.1:8080', 'localhost', 'LOCALHOST:1', '[::1]:9', '127.1.2.3'])
      assert.equal(refusal({ host }, loopback), undefined, host);
    for (const host of ['evil.example', 'evil.example:8080', '127.0.0.1.evil.example', 'localhost.evil.example', '']) {
      assert.equal(refusal({ host }, loopback), 'mcp_host_not_allowed', host);
    }
  });

  test('listening elsewhere, any Host passes unless a list is configured, which then decides (port optional)', () => {
    assert.equal(refusal({ host: 'gw.example.com' }, anywhere), undefined);
    const listed: OriginPolicy = { ...anywhere, allowedHosts: ['gw.example.com', 'api.example.com:8443'] };
    assert.equal(refusal({ host: 'gw.example.com:443' }, listed), undefined);
    assert.equal(refusal({ host: 'api.example.com:8443' }, listed), undefined);
    assert.equal(refusal({ host: 'api.example.com:9000' }, listed), 'mcp_host_not_allowed');
    assert.equal(refusal({ host: 'localhost' }, { ...listed, loopback: true }), 'mcp_host_not_allowed');
  });

  test('no Origin passes; the gateway’s own origin passes whatever the scheme; others and opaque ones do not', () => {
    const host = { host: 'gw.example.com' };
    assert.equal(refusal(host, anywhere), undefined);
    assert.equal(refusal({ ...host, origin: 'https://gw.example.com' }, anywhere), undefined);
    assert.equal(refusal({ ...host, origin: 'http://GW.example.com' }, anywhere), undefined);
    assert.equal(refusal({ ...host, origin: 'https://gw.example.com:8443' }, anywhere), 'mcp_origin_not_allowed');
    assert.equal(refusal({ ...host, origin: 'https://evil.example' }, anywhere), 'mcp_origin_not_allowed');
    assert.equal(refusal({ ...host, origin: 'null' }, anywhere), 'mcp_origin_not_allowed');
  });

  test('allowedOrigins adds exact origins, or all with "*"', () => {
    const host = { host: 'gw.example.com' };
    assert.equal(refusal({ ...host, origin: 'https://app.example' }, { ...anywhere, allowedOrigins: ['https://app.example'] }), undefined);
    assert.equal(
      refusal({ ...host, origin: 'https://app.example.evil' }, { ...anywhere, allowedOrigins: ['https://app.example'] }),
      'mcp_origin_not_allowed',
    );
    assert.equal(refusal({ ...host, origin: 'null' }, { ...anywhere, allowedOrigins: ['*'] }), undefined);
  });

  test('the refusal quotes the header, cut short', () => {
    try {
      checkOrigin(new Headers({ host: 'x'.repeat(500) }), loopback);
      assert.fail('expected a refusal');
    } catch (err) {
      assert.ok((err as Error).message.length < 300);
    }
  });

  test('isLoopbackAddress', () => {
    assert.deepEqual(['127.0.0.1', '::1', 'localhost', '0.0.0.0', undefined, '10.0.0.1'].map(isLoopbackAddress), [
      true,
      true,
      true,
      false,
      false,
      false,
    ]);
  });
});
