// `npm test`: first the static gates (lint + format check, typecheck), then the build that
// process-level tests start, then every *.test.ts (unit tests beside the code, integration tests
// in tests/) with Node's own test runner. Node 20's --test takes no globs, hence this file.
// Arguments narrow the run and skip the gates: `npm test -- providers/anthropic` runs only the test files whose path contains it.
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

const roots = ['src', 'providers', 'mcp', 'tests'];
const filters = process.argv.slice(2);

function find(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : find(path);
    return entry.name.endsWith('.test.ts') || entry.name.endsWith('.test.tsx') ? [path] : [];
  });
}

const files = roots
  .flatMap((root) => find(root))
  .map((f) => relative(process.cwd(), f))
  .filter((f) => filters.length === 0 || filters.some((needle) => f.includes(needle)))
  .sort();

if (filters.length === 0) {
  // The same gates CI relies on: tsx strips types, so without these a type error would pass.
  for (const script of ['lint', 'typecheck']) {
    process.stdout.write(`npm run ${script}\n`);
    const r = spawnSync('npm', ['run', script, '--silent'], { stdio: 'inherit' });
    if (r.status !== 0) {
      console.error(`npm run ${script} failed (exit ${r.status}); fix it before the tests run`);
      process.exit(r.status || 1);
    }
  }
}

if (files.length === 0) {
  console.error(`no test files match ${filters.join(' ')}`);
  process.exit(1);
}

// Tests that need a real process run what `npm start` runs (tests/helpers/gateway-process.ts):
// compile it first, incrementally (a few seconds when nothing changed).
{
  const r = spawnSync('npm', ['run', 'build', '--silent'], { stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`npm run build failed (exit ${r.status})`);
    process.exit(r.status || 1);
  }
}

const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-reporter=spec', ...files], {
  stdio: 'inherit',
  env: process.env,
});
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
