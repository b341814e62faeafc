// The ledger writer's young generation under `npm start`'s node flags: a worker started with
// startWorker() keeps the small young generation its resourceLimits ask for, although the command
// line sizes the main isolate's (--max-semi-space-size), and the main isolate keeps that size.
// Each side churns through short-lived arrays with enough survivors that V8 grows its new space
// to the largest size it may.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { npmStartCommand } from '../../tests/helpers/npm-start.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const MB = 1048576;

// The largest new space (both semi-spaces) seen while churning, in bytes.
const CHURN = `
  const { getHeapSpaceStatistics } = await import('node:v8');
  const newSpace = () => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size;
  let max = 0;
  const ring = new Array(50000);
  for (let i = 0; i < 3e6; i++) {
    ring[i % ring.length] = [i, i + 1, i + 2, i + 3];
    if (i % 10000 === 0) max = Math.max(max, newSpace());
  }`;

const SCRIPT = `
  const { startWorker, WRITER_YOUNG_GENERATION_MB } = await import(${JSON.stringify(new URL('./worker-heap.ts', import.meta.url).href)});
  const worker = startWorker(\`(async () => { ${CHURN}; require('node:worker_threads').parentPort.postMessage(max); })()\`, {
    eval: true,
    resourceLimits: { maxYoungGenerationSizeMb: WRITER_YOUNG_GENERATION_MB },
  });
  const [workerMax] = await require('node:events').once(worker, 'message');
  ${CHURN};
  process.stdout.write(JSON.stringify({ worker: workerMax, main: max }));`;

test("npm start's semi-space size stays the main isolate's; the ledger writer's isolate keeps its own young generation", () => {
  const { nodeFlags, env } = npmStartCommand(root);
  assert.ok(
    nodeFlags.some((f) => f.startsWith('--max-semi-space-size=')),
    'npm start sizes the main isolate with --max-semi-space-size (else this test checks nothing)',
  );
  const r = spawnSync(process.execPath, [...nodeFlags, '--import', 'tsx', '--input-type=commonjs', '-e', `(async () => { ${SCRIPT} })()`], {
    cwd: root,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(r.status, 0, r.stderr);
  const seen = JSON.parse(r.stdout) as { worker: number; main: number };
  const semiSpaceMb = Number(nodeFlags.find((f) => f.startsWith('--max-semi-space-size='))!.split('=')[1]);
  // V8 splits a young generation of 3 MB into two 1 MB semi-spaces and 1 MB for large new objects.
  assert.ok(seen.worker <= 2 * MB, `the writer's new space grew to ${seen.worker / MB} MB`);
  assert.equal(seen.main, 2 * semiSpaceMb * MB, `the main isolate's new space grew to ${seen.main / MB} MB`);
});
