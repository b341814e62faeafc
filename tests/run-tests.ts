// `npm test`: first the static gates (lint + format check, typecheck) and the build that
// process-level tests start, side by side (a failing gate still stops the run before any test);
// then every *.test.ts (unit tests beside the code, integration tests in tests/) with Node's own
// test runner, from JavaScript compiled once by tests/compile-tests.ts (source maps on, so failures
// name the .ts line). Node 20's --test takes no globs, hence this file.
// Arguments narrow the run and skip the gates: `npm test -- providers/anthropic` runs only the test files whose path contains it.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { compiledPath, compileTests } from './compile-tests.js';

const roots = ['src', 'providers', 'mcp', 'tests'];
const filters = process.argv.slice(2);

function find(dir: string, wanted: RegExp): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : find(path, wanted);
    return wanted.test(entry.name) ? [relative(process.cwd(), path)] : [];
  });
}

const files = roots
  .flatMap((root) => find(root, /\.test\.tsx?$/))
  .filter((f) => filters.length === 0 || filters.some((needle) => f.includes(needle)))
  .sort();

if (files.length === 0) {
  console.error(`no test files match ${filters.join(' ')}`);
  process.exit(1);
}

interface Step {
  name: string;
  status: number;
  output: string;
  seconds: number;
}

/** `npm run <script> --silent`, its output held until it ends so that steps run side by side do not interleave. */
function npmRun(script: string): Promise<Step> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn('npm', ['run', script, '--silent'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d));
    child.stderr.on('data', (d: Buffer) => (output += d));
    child.on('close', (code) =>
      resolve({ name: `npm run ${script}`, status: code ?? 1, output, seconds: (performance.now() - started) / 1000 }),
    );
  });
}

/** The TypeScript the tests import (bench/ too: a few tests use its seeding and queries), compiled where changed. */
async function compile(): Promise<Step> {
  const started = performance.now();
  const sources = [...roots, 'bench'].flatMap((root) => find(root, /\.tsx?$/)).filter((f) => !f.endsWith('.d.ts'));
  try {
    const n = await compileTests(process.cwd(), sources);
    return { name: `compile ${n} of ${sources.length} files`, status: 0, output: '', seconds: (performance.now() - started) / 1000 };
  } catch (err) {
    return { name: 'compile', status: 1, output: `${(err as Error).message}\n`, seconds: (performance.now() - started) / 1000 };
  }
}

// The same gates CI relies on (tsx and esbuild strip types, so without these a type error would
// pass), and the build: tests that need a real process run what `npm start` runs
// (tests/helpers/gateway-process.ts), compiled incrementally (a few seconds when nothing changed).
const gates = filters.length === 0 ? ['lint', 'typecheck'] : [];
const steps = await Promise.all([...gates.map(npmRun), npmRun('build'), compile()]);
for (const step of steps) {
  process.stdout.write(`${step.name} (${step.seconds.toFixed(1)} s)\n${step.output}`);
  if (step.status !== 0) {
    console.error(`${step.name} failed (exit ${step.status}); fix it before the tests run`);
    process.exit(step.status || 1);
  }
}

// --test-force-exit: a file whose before() throws after opening a server (a broken fixture) used to
// keep its process, and so the whole run, alive for good; now its failure is reported and the run
// ends. --test-timeout: a test that hangs fails after 5 minutes (the slowest takes ~40 s at load 10)
// instead of holding CI to its 90-minute limit.
const child = spawn(
  process.execPath,
  [
    '--enable-source-maps',
    '--test',
    '--test-concurrency=2',
    '--test-force-exit',
    '--test-timeout=300000',
    '--test-reporter=spec',
    ...files.map(compiledPath),
  ],
  { stdio: 'inherit', env: process.env },
);
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
