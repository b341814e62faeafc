// Summarises a V8 .cpuprofile (from `node --cpu-prof`): top functions by self time, and inclusive
// time by file and by package, time by owner (whose code asked for it), with compiled dist/ locations mapped back to the TypeScript source
// through the emitted source maps so the report points at src/…:line.
//   npx tsx bench/profile-summary.ts <file.cpuprofile> [--top 25]
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface Row {
  name: string;
  ms: number;
  share: number;
}

export interface ProfileSummary {
  totalMs: number;
  idleMs: number;
  gcMs: number;
  selfByFunction: Row[];
  inclusiveByFile: Row[];
  selfByPackage: Row[];
  /** Busy time charged to the code that caused it (see ownerOf). */
  byOwner: Row[];
}

const maps = new Map<string, SourceMap | null>();

function sourceMapFor(file: string): SourceMap | null {
  if (maps.has(file)) return maps.get(file)!;
  let map: SourceMap | null = null;
  const path = `${file}.map`;
  if (existsSync(path)) {
    try {
      map = new SourceMap(JSON.parse(readFileSync(path, 'utf8')));
    } catch {
      map = null;
    }
  }
  maps.set(file, map);
  return map;
}

/** A readable location: repo-relative TS source when a source map knows it, else the JS file. */
function locate(frame: CallFrame, root: string): { file: string; line: number } {
  if (!frame.url) return { file: '(native)', line: 0 };
  if (!frame.url.startsWith('file://')) return { file: frame.url, line: frame.lineNumber + 1 };
  const js = fileURLToPath(frame.url);
  const nm = js.lastIndexOf('/node_modules/');
  if (nm >= 0) return { file: js.slice(nm + 1), line: frame.lineNumber + 1 };
  const map = sourceMapFor(js);
  const entry = map?.findEntry(frame.lineNumber, frame.columnNumber) as { originalSource?: string; originalLine?: number } | undefined;
  if (entry?.originalSource) {
    const src = entry.originalSource.startsWith('file://')
      ? fileURLToPath(entry.originalSource)
      : resolve(dirname(js), entry.originalSource);
    return { file: relative(root, src), line: (entry.originalLine ?? 0) + 1 };
  }
  return { file: relative(root, js), line: frame.lineNumber + 1 };
}

/** node_modules/<pkg> (scoped too), node:internal, the repo's own top folder, or a V8 bucket. */
function packageOf(file: string): string {
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file);
  if (nm) return nm[1]!;
  if (file.startsWith('node:')) return 'node (internals)';
  if (file.startsWith('(')) return file;
  return `repo: ${file.split('/')[0] === 'dist' ? file.split('/')[1] : file.split('/')[0]}`;
}

// Native leaves that are the kernel taking bytes: a socket or pipe write (the synchronous part of
// sending, loopback delivery and waking the reader included), which any proxy pays per hop.
const WRITES = new Set(['writev', 'writeUtf8String', 'writeBuffer', 'writeLatin1String', 'writeAsciiString']);
// Frames that work for whoever called them: natives, node's own modules, zod (validation the
// caller asked for) and code compiled at run time (zod's generated parsers have no URL).
const SERVES_CALLER = (pkg: string) => pkg === '(native)' || pkg === 'node (internals)' || pkg === 'zod' || pkg === '';

function top(m: Map<string, number>, totalMs: number, n: number): Row[] {
  return [...m]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([name, ms]) => ({ name, ms, share: ms / totalMs }));
}

/** A span of CLOCK_MONOTONIC time in µs: V8's profile timestamps and `process.hrtime` share that clock on Linux. */
export interface Window {
  fromUs: number;
  toUs: number;
}

/** The time of each sample (µs), for keeping only the samples inside a window. */
function sampleTimes(profile: CpuProfile): number[] {
  const times: number[] = [];
  let t = profile.startTime;
  for (const d of profile.timeDeltas) times.push((t += d));
  return times;
}

/** `window`: only samples taken during the load (not the gateway's start-up and module loading). */
export function summarizeProfile(profile: CpuProfile, root: string, n = 25, window?: Window): ProfileSummary {
  const times = window ? sampleTimes(profile) : undefined;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const c of node.children ?? []) parent.set(c, node.id);
  const loc = new Map<number, { file: string; line: number }>();
  const where = (id: number) => {
    let l = loc.get(id);
    if (!l) {
      l = locate(byId.get(id)!.callFrame, root);
      loc.set(id, l);
    }
    return l;
  };

  const self = new Map<string, number>();
  const byFile = new Map<string, number>();
  const byPackage = new Map<string, number>();
  const byOwner = new Map<string, number>();
  // Whose time a sample is: GC and socket/pipe writes stand alone; otherwise the innermost frame
  // that is neither native, node's internals nor zod, by package (node's own when there is none,
  // e.g. HTTP parsing on a socket read).
  const ownerOf = (leafId: number): string => {
    const fn = byId.get(leafId)!.callFrame.functionName;
    if (fn === '(garbage collector)' || fn === '(program)') return fn;
    if (WRITES.has(fn)) return 'socket and pipe writes (kernel)';
    for (let id: number | undefined = leafId; id !== undefined; id = parent.get(id)) {
      const frame = byId.get(id)!.callFrame;
      if (!frame.url && frame.functionName === '(root)') break;
      const pkg = frame.url ? packageOf(where(id).file) : '';
      if (!SERVES_CALLER(pkg)) return pkg;
    }
    return 'node (no JS caller: I/O callbacks, HTTP parsing, timers)';
  };
  let totalMs = 0;
  let idleMs = 0;
  let gcMs = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    if (times && window && (times[i]! < window.fromUs || times[i]! > window.toUs)) continue;
    // timeDeltas[i] is the time since the previous sample; charge it to this sample's stack.
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    const leafId = profile.samples[i]!;
    const leaf = byId.get(leafId)!;
    const fn = leaf.callFrame.functionName;
    totalMs += ms;
    if (fn === '(idle)') {
      idleMs += ms;
      continue;
    }
    if (fn === '(garbage collector)') gcMs += ms;
    const l = where(leafId);
    const key = `${fn || '(anonymous)'}  ${l.file}${l.line ? `:${l.line}` : ''}`;
    self.set(key, (self.get(key) ?? 0) + ms);
    byPackage.set(packageOf(l.file), (byPackage.get(packageOf(l.file)) ?? 0) + ms);
    const owner = ownerOf(leafId);
    byOwner.set(owner, (byOwner.get(owner) ?? 0) + ms);
    // Inclusive by file: each file on the stack once per sample, however often it recurs.
    const seen = new Set<string>();
    for (let id: number | undefined = leafId; id !== undefined; id = parent.get(id)) {
      const f = where(id).file;
      if (f === '(native)' || f === '' || seen.has(f)) continue;
      seen.add(f);
      byFile.set(f, (byFile.get(f) ?? 0) + ms);
    }
  }
  const busy = totalMs - idleMs;
  return {
    totalMs,
    idleMs,
    gcMs,
    selfByFunction: top(self, busy, n),
    inclusiveByFile: top(byFile, busy, n),
    selfByPackage: top(byPackage, busy, 15),
    byOwner: top(byOwner, busy, 15),
  };
}

const OWN = /^(src|providers|mcp)\//;

/**
 * Where our own code causes time spent elsewhere: for every sample whose stack has a frame matching
 * `pattern` (function name or file), the time is charged to the nearest src/, providers/ or mcp/
 * frame above that match. Answers "who calls makeTransferable / Hash / zod on the hot path?".
 */
export function callersOf(profile: CpuProfile, root: string, pattern: string, n = 10): { total: number; rows: Row[] } {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const c of node.children ?? []) parent.set(c, node.id);
  const out = new Map<string, number>();
  let total = 0;
  let busy = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    const leafId = profile.samples[i]!;
    if (byId.get(leafId)!.callFrame.functionName === '(idle)') continue;
    busy += ms;
    let id: number | undefined = leafId;
    for (; id !== undefined; id = parent.get(id)) {
      const f = byId.get(id)!.callFrame;
      if (f.functionName.includes(pattern) || locate(f, root).file.includes(pattern)) break;
    }
    if (id === undefined) continue;
    total += ms;
    let key = '(no own caller)';
    for (let up: number | undefined = id; up !== undefined; up = parent.get(up)) {
      const f = byId.get(up)!.callFrame;
      const l = locate(f, root);
      if (OWN.test(l.file)) {
        key = `${f.functionName || '(anonymous)'}  ${l.file}:${l.line}`;
        break;
      }
    }
    out.set(key, (out.get(key) ?? 0) + ms);
  }
  return { total, rows: top(out, busy, n) };
}

export function formatSummary(s: ProfileSummary): string {
  const rows = (title: string, list: Row[]) => [
    `### ${title}`,
    '| ms | % of busy | where |',
    '| ---: | ---: | --- |',
    ...list.map((r) => `| ${r.ms.toFixed(0)} | ${(r.share * 100).toFixed(1)}% | ${r.name.replace(/\|/g, '\\|')} |`),
    '',
  ];
  const busy = s.totalMs - s.idleMs;
  return [
    `profile: ${(s.totalMs / 1000).toFixed(1)} s sampled, busy ${(busy / 1000).toFixed(1)} s (${((busy / s.totalMs) * 100).toFixed(0)}%), GC ${(s.gcMs / 1000).toFixed(2)} s (${((s.gcMs / busy) * 100).toFixed(1)}% of busy)`,
    '',
    ...rows('Top functions by self time', s.selfByFunction),
    ...rows('Inclusive time by file (a file counts once per stack)', s.inclusiveByFile),
    ...rows('Self time by package', s.selfByPackage),
    ...rows(
      "Time by owner (native, node-internal and zod time charged to the nearest caller in a package or the repo; GC and the kernel's socket/pipe writes apart)",
      s.byOwner,
    ),
  ].join('\n');
}

const isMain = process.argv[1] !== undefined && /profile-summary\.(ts|js)$/.test(process.argv[1]);
if (isMain) {
  const { values, positionals } = parseArgs({
    options: { top: { type: 'string' }, root: { type: 'string' }, callers: { type: 'string', multiple: true } },
    allowPositionals: true,
  });
  const file = positionals[0];
  if (!file) {
    process.stderr.write(
      'usage: npx tsx bench/profile-summary.ts <file.cpuprofile> [--top 25] [--root <repo dir>] [--callers <function or file substring>]…\n',
    );
    process.exit(2);
  }
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const root = values.root ?? process.cwd();
  if (values.callers?.length) {
    for (const pattern of values.callers) {
      const { total, rows } = callersOf(profile, root, pattern);
      process.stdout.write(`### "${pattern}": ${total.toFixed(0)} ms inclusive; charged to the nearest own frame above it\n`);
      for (const r of rows)
        process.stdout.write(`  ${r.ms.toFixed(0).padStart(6)} ms ${(r.share * 100).toFixed(1).padStart(5)}%  ${r.name}\n`);
    }
  } else {
    process.stdout.write(`${formatSummary(summarizeProfile(profile, root, Number(values.top ?? 25)))}\n`);
  }
}
