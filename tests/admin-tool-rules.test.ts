// The admin API takes a key's tool rules in the gateway's spelling only, as the config file does
// (src/config-tool-names.ts): a deny written with the MCP server's own name would deny nothing.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startGateway, type TestGateway } from './helpers/gateway.js';

const ADMIN = 'admin-token-tool-rules';
let gw: TestGateway;

before(async () => {
  gw = await startGateway({ adminToken: ADMIN, config: { virtualKeys: [{ id: 'filed', key: 'vk-tool-rules-filed', models: ['*'] }] } });
});
after(() => gw.close());

const admin = (method: string, path: string, body: unknown) =>
  fetch(`${gw.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

test('POST and PATCH /api/virtual-keys refuse a tool rule no gateway name can match, naming it and the spelling to use', async () => {
  const made = await admin('POST', '/api/virtual-keys', {
    id: 'raw',
    models: ['*'],
    tools: { allow: ['docs__*'], deny: ['docs__delete.page'] },
  });
  assert.equal(made.status, 400);
  const body = (await made.json()) as { error: { type: string; message: string } };
  assert.equal(body.error.type, 'invalid_request_error');
  assert.match(body.error.message, /tools\.deny.*"docs__delete\.page" matches no tool.*write "docs__delete_page"/s);

  const ok = await admin('POST', '/api/virtual-keys', {
    id: 'spelled',
    models: ['*'],
    tools: { allow: ['docs__*'], deny: ['docs__delete_page'] },
  });
  assert.equal(ok.status, 201, await ok.text());
  const patched = await admin('PATCH', '/api/virtual-keys/spelled', { approval: ['docs__delete.page'] });
  assert.equal(patched.status, 400);
  assert.match(((await patched.json()) as { error: { message: string } }).error.message, /approval.*write "docs__delete_page"/s);
});
