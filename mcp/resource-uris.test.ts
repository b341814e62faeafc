import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromGatewayUri, gatewayContent, toGatewayUri } from './resource-uris.js';

const servers = new Set(['docs', 'git-hub']);
const isServer = (name: string) => servers.has(name);

test('a gateway URI prefixes the scheme with the server and maps back to exactly it', () => {
  for (const uri of ['file:///README.md', 'git+ssh://host/repo?x=1#frag', 'docs+file:///nested', 'urn:isbn:0451450523']) {
    const gatewayUri = toGatewayUri('git-hub', uri);
    assert.equal(gatewayUri, `git-hub+${uri}`);
    assert.deepEqual(fromGatewayUri(gatewayUri, isServer), { server: 'git-hub', uri });
  }
  // Still a URI: the scheme is `docs+file`, the rest untouched.
  assert.equal(new URL(toGatewayUri('docs', 'file:///a/b.md?v=2')).pathname, '/a/b.md');
});

test('URIs of no configured server, or without a server part, map to nothing', () => {
  for (const uri of ['file:///etc/passwd', 'other+file:///x', '+file:///x', 'docs+', 'docs'])
    assert.equal(fromGatewayUri(uri, isServer), undefined, uri);
});

test('links and embedded resources in content get the gateway form; other blocks are left alone', () => {
  assert.deepEqual(gatewayContent('docs', { type: 'resource_link', uri: 'file:///a', name: 'a' }), {
    type: 'resource_link',
    uri: 'docs+file:///a',
    name: 'a',
  });
  assert.deepEqual(gatewayContent('docs', { type: 'resource', resource: { uri: 'file:///a', text: 't' } }), {
    type: 'resource',
    resource: { uri: 'docs+file:///a', text: 't' },
  });
  const text = { type: 'text' as const, text: 'file:///a' };
  assert.equal(gatewayContent('docs', text), text);
});
