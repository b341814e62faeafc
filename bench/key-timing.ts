// Is refusing a wrong virtual key measurably slower or faster than refusing an unknown one?
// A timing comparison belongs here, not in `npm test` (a loaded machine makes timed assertions
// flaky). Keys are looked up by their sha256, so no comparison runs on the secret itself; this
// measures that the whole refusal path agrees.
//   npx tsx bench/key-timing.ts [iterations=400]
import { serve } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../src/config.js';
import { createGateway } from '../src/gateway.js';

const VK = 'vk-timing-main-SECRET-55aa01';
const iterations = Number(process.argv[2] ?? 400);

const dir = mkdtempSync(join(tmpdir(), 'tollgate-key-timing-'));
const { config } = parseConfig(
  JSON.stringify({
    providers: { openai: { type: 'openai', baseUrl: 'http://127.0.0.1:9/v1' } },
    virtualKeys: [{ id: 'main', key: '${VK}', models: ['*'] }],
  }),
  'key-timing config',
  { VK },
);
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const gateway = await createGateway({ config, dbPath: join(dir, 'tollgate.db'), logger: quiet });
await gateway.start();
const server = await new Promise<Server>((resolve) => {
  const s = serve({ fetch: gateway.app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s as Server)) as Server;
});
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

// "Wrong" shares all but the last character with the real key; "unknown" shares nothing.
const wrong = `${VK.slice(0, -1)}0`;
const unknown = () => `vk-${Math.random().toString(36).slice(2).padEnd(VK.length, 'z')}`.slice(0, VK.length);
async function time(key: string): Promise<number> {
  const started = process.hrtime.bigint();
  const res = await fetch(`${url}/v1/models`, { headers: { authorization: `Bearer ${key}` } });
  await res.arrayBuffer();
  if (res.status !== 401) throw new Error(`expected 401, got ${res.status}`);
  return Number(process.hrtime.bigint() - started) / 1000;
}

for (let i = 0; i < 50; i++) await time(i % 2 ? wrong : unknown()); // warm up the connection and JIT
const a: number[] = [];
const b: number[] = [];
// Interleaved so drift on a noisy machine hits both sides alike.
for (let i = 0; i < iterations; i++) {
  if (i % 2) {
    a.push(await time(wrong));
    b.push(await time(unknown()));
  } else {
    b.push(await time(unknown()));
    a.push(await time(wrong));
  }
}
const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
const [ma, mb] = [median(a), median(b)];
process.stdout.write(
  `refusal median over ${iterations} each: wrong key ${ma.toFixed(0)} µs, unknown key ${mb.toFixed(0)} µs, difference ${(ma - mb).toFixed(0)} µs\n`,
);
server.close();
await gateway.close();
rmSync(dir, { recursive: true, force: true });
