// `--at <ref>`: bench a committed version instead of the working tree. Several people edit the tree
// at once, so a half-finished edit elsewhere must not break or skew the run. The ref's sources are
// exported (git archive, nothing in .git changes) into a temp dir with this bench/ on top and the
// repo's node_modules linked, then compiled there.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export interface Snapshot {
  root: string;
  commit: string;
  build: { ok: boolean; note?: string };
  remove(): void;
}

export function exportSnapshot(ref: string): Snapshot {
  const repo = process.cwd();
  const commit = execFileSync('git', ['rev-parse', '--verify', `${ref}^{commit}`], { encoding: 'utf8' }).trim();
  const root = mkdtempSync(join(tmpdir(), 'tollgate-bench-src-'));
  const archive = spawnSync('sh', ['-c', `git archive ${commit} | tar -x -C "${root}"`], { encoding: 'utf8' });
  if (archive.status !== 0) throw new Error(`git archive ${ref} failed: ${archive.stderr}`);
  symlinkSync(resolve(repo, 'node_modules'), join(root, 'node_modules'), 'dir');
  // The harness is always the current one, so two commits are measured the same way.
  rmSync(join(root, 'bench'), { recursive: true, force: true });
  cpSync(join(repo, 'bench'), join(root, 'bench'), { recursive: true, filter: (src) => !src.includes(`${join('bench', 'results')}`) });
  process.stdout.write(`building ${commit.slice(0, 7)} in ${root}…\n`);
  const tsc = spawnSync(process.execPath, [join(repo, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], {
    cwd: root,
    encoding: 'utf8',
  });
  const build =
    tsc.status === 0
      ? { ok: true }
      : { ok: false, note: `tsc exited ${tsc.status}: ${tsc.stdout.trim().split('\n').slice(0, 5).join(' / ')}` };
  return { root, commit, build, remove: () => rmSync(root, { recursive: true, force: true }) };
}
