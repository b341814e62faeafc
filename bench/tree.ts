// Which code is measured: the working tree (built with `tsc -p tsconfig.json` unless --no-build), or a
// commit exported by snapshot.ts (--at). Both end with a compiled dist/ that stack.ts runs.
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { exportSnapshot } from './snapshot.js';
import { requireBuild, useDist } from './stack.js';

export interface Tree {
  /** Root of the measured sources (for mapping profiles back to files). */
  root: string;
  commit: string;
  ref: string;
  /** Uncommitted changes in what is measured (never for --at). */
  dirty: boolean;
  build: { ok: boolean; note?: string };
  cleanup(): void;
}

export function git(...args: string[]): string {
  try {
    return execFileSync('git', args, { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

function buildWorkingTree(skip: boolean): { ok: boolean; note?: string } {
  if (skip) return { ok: true, note: 'skipped (--no-build)' };
  // The full project (tsconfig.json), not `npm run build`: the bench's own processes live in bench/.
  process.stdout.write('building (tsc -p tsconfig.json)…\n');
  const r = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json'], { encoding: 'utf8' });
  if (r.status !== 0)
    return { ok: false, note: `tsc exited ${r.status}: ${(r.stdout + r.stderr).trim().split('\n').slice(0, 5).join(' / ')}` };
  return { ok: true };
}

export function prepareTree(opts: { at?: string | undefined; noBuild?: boolean | undefined }): Tree {
  let tree: Tree;
  if (opts.at) {
    const snap = exportSnapshot(opts.at);
    useDist(join(snap.root, 'dist'));
    tree = { root: snap.root, commit: snap.commit, ref: opts.at, dirty: false, build: snap.build, cleanup: snap.remove };
  } else {
    tree = {
      root: process.cwd(),
      commit: git('rev-parse', 'HEAD'),
      ref: 'working tree',
      dirty: git('status', '--porcelain', '--', 'src', 'providers', 'mcp', 'migrations') !== '',
      build: buildWorkingTree(opts.noBuild === true),
      cleanup: () => undefined,
    };
  }
  // tsc still emits on type errors (often someone else's half-done edit); say so, measure anyway.
  if (!tree.build.ok) process.stdout.write(`WARNING: ${tree.build.note} — benchmarking the JS tsc emitted anyway\n`);
  requireBuild();
  return tree;
}
