// The `x-tollgate-tools: none | a,b,c` request header: narrows the tools a request may use.
// It can only take tools away: narrowTools intersects with the key's policy, it never adds to it.
import { compileGlobs } from './glob.js';
import type { CompiledPolicy } from './types.js';

export type ToolsNarrowing = { kind: 'none' } | { kind: 'list'; patterns: string[] };

/** undefined/empty header → no narrowing. `none` → no tools. Otherwise a comma list of names or globs. */
export function parseToolsHeader(value: string | null | undefined): ToolsNarrowing | undefined {
  if (value === null || value === undefined) return undefined;
  const trimmed = value.trim();
  if (trimmed === '') return undefined;
  if (trimmed.toLowerCase() === 'none') return { kind: 'none' };
  const patterns = trimmed
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  return patterns.length ? { kind: 'list', patterns } : { kind: 'none' };
}

/** A per-request policy allowing only what both the key and the header allow. */
export function narrowTools(policy: CompiledPolicy, narrowing: ToolsNarrowing | undefined): CompiledPolicy {
  if (!narrowing) return policy;
  const header = narrowing.kind === 'none' ? () => false : compileGlobs(narrowing.patterns);
  const previous = policy.narrowTool;
  // Chaining keeps any earlier narrowing: narrowing twice can only shrink the set further.
  const narrowTool = previous ? (name: string) => previous(name) && header(name) : header;
  return { ...policy, narrowTool };
}
