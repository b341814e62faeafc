// What `npm start` runs, read from a tree's package.json: its `start` script,
// `[VAR=value …] node [node flags …] dist/src/main.js`, as the environment and node flags to start
// `dist/src/main.js` with. The tests' gateway processes and the bench launch the gateway exactly
// as users do (the memory settings live there: README, "Running options"); older trees have none.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface NpmStart {
  env: Record<string, string>;
  nodeFlags: string[];
}

export function npmStartCommand(root: string): NpmStart {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts?: { start?: string } };
  const start = pkg.scripts?.start ?? '';
  const words = start.split(/\s+/).filter(Boolean);
  const env: Record<string, string> = {};
  while (words.length && /^[A-Z_][A-Z0-9_]*=/.test(words[0]!)) {
    const [name, ...value] = words.shift()!.split('=');
    env[name!] = value.join('=');
  }
  const script = words.findIndex((w, i) => i > 0 && !w.startsWith('-'));
  if (words[0] !== 'node' || words[script] !== 'dist/src/main.js' || script !== words.length - 1)
    throw new Error(`package.json "start" is not "[VAR=value …] node [flags …] dist/src/main.js": ${start}`);
  return { env, nodeFlags: words.slice(1, script) };
}
