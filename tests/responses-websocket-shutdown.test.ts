// SIGTERM with Codex connected over WebSocket (the real process, as `npm start` runs it): the
// response in progress finishes and is in the ledger, a new response.create on the same connection
// is told the gateway is shutting down, and the process exits. Open WebSocket connections would
// otherwise keep the HTTP server from closing, and the drain would not wait for their responses.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openResponsesSocket } from './helpers/responses-socket.js';
import { startMockUpstream, type MockUpstream } from './mock-upstream/server.js';
import { mockProviders } from './helpers/gateway.js';
import { startGatewayProcess } from './helpers/gateway-process.js';
import { waitFor } from './helpers/wait-for.js';

const VK = 'vk-ws-shutdown-test-1';
let mock: MockUpstream;
let dir: string;

before(async () => {
  mock = await startMockUpstream();
  dir = mkdtempSync(join(tmpdir(), 'tollgate-ws-shutdown-'));
});
after(async () => {
  await mock.close();
  rmSync(dir, { recursive: true, force: true });
});

test('SIGTERM: the WebSocket response in progress finishes and is ledgered, a new one gets 503 (and its row), the process exits', {
  timeout: 60_000,
}, async () => {
  const configPath = join(dir, 'config.json');
  const dbPath = join(dir, 'ledger.db');
  writeFileSync(configPath, JSON.stringify({ providers: mockProviders(mock), virtualKeys: [{ id: 'ws', key: VK, models: ['*'] }] }));
  mock.fallback = () => ({ kind: 'text', text: 'slow answer', delayMs: 1500 });
  const gateway = await startGatewayProcess(configPath, { env: { TOLLGATE_DB: dbPath }, logLevel: 'info' });
  try {
    const socket = await openResponsesSocket(gateway.url, VK);
    const events = socket.received;
    const closed = socket.closed;
    socket.create({ model: 'openai/gpt-4o-mini', input: 'in flight' });
    await waitFor(() => mock.requests.length === 1, 10_000, 'the response to reach the upstream');

    const exitCode = gateway.stop();
    await gateway.printed('draining');
    socket.create({ model: 'openai/gpt-4o-mini', input: 'too late' });
    assert.equal(await exitCode, 0, 'the process exits with WebSocket clients connected');
    await closed;

    assert.ok(
      events.some((e) => e.type === 'response.completed'),
      'the response in progress finished',
    );
    const refused = events.find((e) => e.type === 'error');
    assert.equal(refused?.status, 503);
    assert.equal(refused?.error?.type, 'service_unavailable');
    assert.equal(mock.requests.length, 1, 'nothing new reached the upstream after SIGTERM');
    const db = new Database(dbPath, { readonly: true });
    const rows = db.prepare("SELECT status, key_id FROM requests WHERE surface = 'responses' ORDER BY status").all() as {
      status: number;
      key_id: string;
    }[];
    db.close();
    assert.deepEqual(
      rows.map((r) => [r.status, r.key_id]),
      [
        [200, 'ws'],
        [503, 'ws'],
      ],
      'the answered response and the refused one are in the ledger',
    );
  } finally {
    await gateway.kill();
  }
});
