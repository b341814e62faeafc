// CI (.ci/run sets CI=true) keeps its logs as text: Biome styles its output with ANSI escapes even
// into a pipe (npm test holds each gate's output and prints it), so the lint script turns them off
// when CI is set (`${CI:+--colors=off}`); a developer's terminal keeps its colours.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const lint = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: { lint: string } }).scripts.lint;

test('with CI=true the lint gate prints its diagnostics as plain text, and still fails on them', () => {
  // The package's lint script, run on one file with a lint error in a folder of its own.
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-lint-'));
  try {
    writeFileSync(join(dir, 'bad.ts'), 'export const same = Number(process.argv[2]) == 2;\n');
    const run = spawnSync('sh', ['-c', lint], {
      cwd: dir,
      env: { ...process.env, CI: 'true', PATH: `${join(root, 'node_modules', '.bin')}:${process.env.PATH}` },
      encoding: 'utf8',
    });
    const output = `${run.stdout}${run.stderr}`;
    assert.equal(run.status, 1, output);
    assert.match(output, /noDoubleEquals/);
    assert.match(output, /Checked 1 file/);
    assert.ok(!output.includes('\x1b'), `ANSI escapes in CI output: ${JSON.stringify(output.slice(0, 300))}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
