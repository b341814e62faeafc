// Folder dependencies point one way (../shared/DESIGN.md, "Wire formats and the loop"):
// composition → surfaces → loop → governance / mcp / ledger → db → base, where base holds the
// wire formats, providers, types and errors that everything may use. A file may import its own
// layer or a lower one; an import that points up is a back-edge and fails `npm test` with the
// exact line to fix. Test files and test helpers may import anything.
//
// One exception, by design (dependency inversion): the loop declares the interfaces it needs from
// governance, MCP, the ledger and metrics in its port modules, and those services implement them.
// A service may import *types* from a port module (`import type`, erased at runtime); no runtime
// import ever points up.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * Layers from the bottom up. A path belongs to the most specific (longest) prefix that matches;
 * a file that matches none fails the test, so a new folder is placed on purpose.
 */
const LAYERS: { name: string; paths: string[] }[] = [
  {
    name: 'base',
    paths: [
      'src/errors.ts',
      'src/config-schema.ts',
      'src/config-hosted-tools.ts',
      'src/config-mcp-stream.ts',
      'src/config-tool-names.ts',
      'src/config-timers.ts',
      'src/config-ledger.ts',
      'src/config-server.ts',
      'src/logger.ts',
      'src/app-env.ts',
      'src/openai/',
      'src/wire/',
      'src/secrets/',
      'providers/',
    ],
  },
  { name: 'db', paths: ['src/db/'] },
  {
    name: 'services',
    paths: ['src/governance/', 'src/ledger/', 'src/upstream/', 'src/metrics/', 'src/stored-responses/', 'mcp/'],
  },
  { name: 'loop', paths: ['src/chat/', 'src/loop/'] },
  { name: 'surfaces', paths: ['src/routes/', 'src/dashboard/', 'src/metrics/routes.ts', 'mcp/server/', 'src/responses/', 'src/messages/'] },
  {
    name: 'composition',
    paths: [
      'src/app.ts',
      'src/gateway.ts',
      'src/gateway/',
      'src/main.ts',
      'src/config.ts',
      'src/startup-summary.ts',
      'src/demo-guard.ts',
      'src/store/',
    ],
  },
];

/** The loop's port modules: interfaces that lower layers implement (see the top of this file). */
const PORTS = ['src/chat/ports.ts', 'src/chat/targets.ts'];

/** Within the services layer, folders may use each other only in this order (no cycles). */
const SERVICE_ORDER = ['src/ledger/', 'src/upstream/', 'src/stored-responses/', 'mcp/', 'src/governance/', 'src/metrics/'];

function layerOf(file: string): { rank: number; prefix: string } | undefined {
  let best: { rank: number; prefix: string } | undefined;
  LAYERS.forEach((layer, rank) => {
    for (const prefix of layer.paths) {
      if (file.startsWith(prefix) && (!best || prefix.length > best.prefix.length)) best = { rank, prefix };
    }
  });
  return best;
}

const isTestOnly = (file: string) =>
  /\.test\.tsx?$|(^|\/)testing\.ts$|test-helpers\.ts$|temp-database\.ts$|counter-store-contract\.ts$/.test(file);

function sources(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return entry.name === 'fixtures' ? [] : sources(path);
    return /\.tsx?$/.test(entry.name) && !isTestOnly(path) ? [path] : [];
  });
}

const IMPORT =
  /(?:^|\n)\s*(?:import|export)\b(\s+type\b)?[^'"]*?from\s*['"](\.{1,2}\/[^'"]+)['"]|import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;

const readSource = (file: string) => readFileSync(join(root, file), 'utf8');

function importsOf(file: string, text: string): { target: string; line: number; typeOnly: boolean }[] {
  return [...text.matchAll(IMPORT)].map((m) => {
    const spec = m[2] ?? m[3]!;
    return {
      target: normalize(join(dirname(file), spec)).replace(/\.js$/, '.ts'),
      line: text.slice(0, m.index + m[0].indexOf(spec)).split('\n').length,
      typeOnly: m[1] !== undefined,
    };
  });
}

const serviceRank = (prefix: string) => SERVICE_ORDER.indexOf(prefix);

/** Every import in `files` that points up a layer (or against the services order), as `file:line …`. */
function backEdges(files: string[], read: (file: string) => string): string[] {
  const found: string[] = [];
  for (const file of files) {
    const from = layerOf(file);
    if (!from) continue;
    for (const { target, line, typeOnly } of importsOf(file, read(file))) {
      const to = layerOf(target);
      if (!to) continue;
      if (typeOnly && PORTS.includes(target)) continue;
      const up = to.rank > from.rank;
      const sideways =
        to.rank === from.rank &&
        LAYERS[from.rank]!.name === 'services' &&
        to.prefix !== from.prefix &&
        serviceRank(to.prefix) > serviceRank(from.prefix);
      if (up || sideways) found.push(`${file}:${line} (${LAYERS[from.rank]!.name}) imports ${target} (${LAYERS[to.rank]!.name})`);
    }
  }
  return found;
}

describe('structure', () => {
  const files = ['src', 'providers', 'mcp'].flatMap((dir) => sources(dir));

  test('every source file belongs to a layer', () => {
    const unplaced = files.filter((f) => !layerOf(f));
    assert.deepEqual(unplaced, [], 'add these paths to LAYERS in tests/structure.test.ts');
  });

  test('no import points to a higher layer, and services use each other one way', () => {
    assert.deepEqual(backEdges(files, readSource), [], 'dependencies must point down (see the layer table at the top of this file)');
  });

  test('the checker catches runtime and type back-edges, and lets port types through', () => {
    const sources: Record<string, string> = {
      'src/governance/a.ts': "import { createApp } from '../app.js';\nimport type { Access } from '../chat/ports.js';",
      'src/ledger/b.ts': "// comment\nimport type { Gate } from '../governance/gate.js';\nexport { x } from '../chat/loop.js';",
      'src/db/c.ts': "const m = await import('../ledger/writer.js');",
    };
    assert.deepEqual(
      backEdges(Object.keys(sources), (f) => sources[f]!),
      [
        'src/governance/a.ts:1 (services) imports src/app.ts (composition)',
        'src/ledger/b.ts:2 (services) imports src/governance/gate.ts (services)',
        'src/ledger/b.ts:3 (services) imports src/chat/loop.ts (loop)',
        'src/db/c.ts:1 (db) imports src/ledger/writer.ts (services)',
      ],
    );
  });
});
