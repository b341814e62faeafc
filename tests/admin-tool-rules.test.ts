// The admin API takes a key's tool rules in the gateway's spelling only, as the config file does
// (src/config-tool-names.ts): a deny written with the MCP server's own name would deny nothing.
// A key an earlier version stored with such a rule still loads, with a warning at startup.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGateway, type TestGateway } from './helpers/gateway.js';
import { startGatewayProcess } from './helpers/gateway-process.js';

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

test('a key stored before rules were checked: the gateway starts and serves it, and the log and startup summary name the key and the rule', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-stored-rules-'));
  const dbPath = join(dir, 'tollgate.db');
  try {
    const earlier = await startGateway({ adminToken: ADMIN, config: {}, dbUrl: dbPath });
    let secret: string;
    try {
      const made = await fetch(`${earlier.url}/api/virtual-keys`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ id: 'legacy', models: ['*'], tools: { allow: ['docs__*'] } }),
      });
      assert.equal(made.status, 201);
      secret = ((await made.json()) as { key: string }).key;
      // As an earlier version stored it: the admin API refuses this rule now, so it goes in underneath.
      const repo = earlier.gateway.store.repository;
      const stored = (await repo.listKeys()).find((k) => k.id === 'legacy')!;
      await repo.upsertKey({ ...stored, tools: { allow: ['docs__*'], deny: ['docs__delete.page'] } });
    } finally {
      await earlier.close();
    }
    const configPath = join(dir, 'config.json');
    writeFileSync(configPath, JSON.stringify({ providers: {} }));
    const proc = await startGatewayProcess(configPath, { env: { TOLLGATE_DB: dbPath } });
    try {
      const models = await fetch(`${proc.url}/v1/models`, { headers: { authorization: `Bearer ${secret}` } });
      assert.equal(models.status, 200, 'the stored key still authenticates');
      const out = proc.output();
      assert.match(
        out,
        /"level":40.*virtual key legacy \(stored through the admin API\): tools\.deny \\"docs__delete\.page\\" matches no tool/,
      );
      assert.match(
        out,
        /\n {2}warnings \(1\):\n {4}virtual key legacy .*tools\.deny "docs__delete\.page" matches no tool.*write "docs__delete_page"/,
      );
    } finally {
      await proc.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
