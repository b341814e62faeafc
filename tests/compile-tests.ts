// `npm test` compiles the TypeScript once, before any test process starts, instead of each of the
// ~200 test processes loading tsx and compiling (or reading tsx's cache of) every module it
// imports: tsx costs a test file that imports the gateway about 1.3 s of CPU more than plain JS.
// The transform is tsx's own (its esbuild, its options), so the tests run the code tsx would run;
// the output is dist/tests-js/<path>.js beside nothing else, with inline source maps so stack traces
// and failures name the .ts file and line (node --enable-source-maps).
//
// A test, fixture or helper finds files next to its source (fixtures, the repo root, dist/src/main.js)
// through import.meta.url, so in every file that is not part of the built gateway import.meta.url
// stays the .ts file's URL, as under tsx. The gateway's own modules keep their compiled URL: they find
// the repo above them the same way from dist/src/, and the ledger writer starts its compiled worker
// (sqlite-worker.js beside it), as the built gateway does, instead of a worker that loads tsx.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';

export const OUT_DIR = 'dist/tests-js';

interface TransformResult {
  code: string;
}
interface Esbuild {
  transform(code: string, options: Record<string, unknown>): Promise<TransformResult>;
}

/** Files `npm run build` compiles into the gateway (tsconfig.build.json's include and exclude). */
const isGateway = (file: string) =>
  /^(src|providers|mcp)\//.test(file) &&
  !/\.test\.tsx?$|(^|\/)testing\.ts$|test-helpers\.ts$|src\/governance\/counter-store-contract\.ts$|src\/db\/temp-database\.ts$/.test(file);

/** The compiled path of a .ts or .tsx file (relative to the repo root). */
export const compiledPath = (file: string) => join(OUT_DIR, file.replace(/\.tsx?$/, '.js'));

function isFresh(source: string, output: string): boolean {
  try {
    return statSync(output).mtimeMs >= statSync(source).mtimeMs;
  } catch {
    return false;
  }
}

/**
 * Compiles `files` (paths relative to `root`) that changed since their last compile; resolves to
 * how many it compiled. Options as tsx 4 passes them to esbuild (its dist/index-*.mjs).
 */
export async function compileTests(root: string, files: string[]): Promise<number> {
  const requireFromTsx = createRequire(createRequire(import.meta.url).resolve('tsx/package.json'));
  const esbuild = requireFromTsx('esbuild') as Esbuild;
  const tsconfigRaw = readFileSync(join(root, 'tsconfig.json'), 'utf8');
  // Everything is compiled again when what a compile depends on besides the file itself changes:
  // this script, tsconfig.json, esbuild, node, or where the repo is (import.meta.url is absolute).
  const stampFile = join(root, OUT_DIR, '.stamp');
  const stamp = createHash('sha256')
    .update(
      [
        readFileSync(new URL(import.meta.url), 'utf8'),
        tsconfigRaw,
        requireFromTsx('esbuild/package.json').version,
        process.version,
        root,
      ].join('\0'),
    )
    .digest('hex');
  const sameStamp = existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp;
  if (!sameStamp) rmSync(join(root, OUT_DIR), { recursive: true, force: true });
  const stale = files.filter((file) => !isFresh(join(root, file), join(root, compiledPath(file))));
  await Promise.all(
    stale.map(async (file) => {
      const source = join(root, file);
      const output = join(root, compiledPath(file));
      const code = readFileSync(source, 'utf8');
      const keepUrl = !isGateway(file) && code.includes('import.meta.url');
      const result = await esbuild.transform(code, {
        loader: file.endsWith('.tsx') ? 'tsx' : 'ts',
        format: 'esm',
        platform: 'node',
        target: `node${process.versions.node}`,
        tsconfigRaw,
        sourcefile: relative(dirname(output), source),
        sourcemap: 'inline',
        sourcesContent: false,
        minifyWhitespace: true,
        keepNames: true,
        ...(keepUrl ? { define: { 'import.meta.url': JSON.stringify(pathToFileURL(source).href) } } : {}),
      });
      mkdirSync(dirname(output), { recursive: true });
      writeFileSync(output, result.code);
    }),
  );
  if (!sameStamp) {
    mkdirSync(dirname(stampFile), { recursive: true });
    writeFileSync(stampFile, stamp);
  }
  return stale.length;
}
