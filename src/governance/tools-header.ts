// The `x-tollgate-tools: none | a,b,c` request header: narrows the tools a request may use.
// It can only take tools away: narrowTools intersects with the key's policy, it never adds to it.
import { invalidRequest } from '../errors.js';
import { MAX_GLOB_LENGTH } from '../config-schema.js';
import { compileGlobs } from './glob.js';
import type { CompiledPolicy } from './types.js';

/** The most patterns one header may list (the header is matched against every MCP tool). */
const MAX_HEADER_PATTERNS = 64;

export type ToolsNarrowing = { kind: 'none' } | { kind: 'list'; patterns: string[] };

/**
 * undefined/empty header → no narrowing. `none` → no tools. Otherwise a comma list of names or globs,
 * at most MAX_HEADER_PATTERNS of at most MAX_GLOB_LENGTH characters each (else a 400 naming the header).
 */
export function parseToolsHeader(value: string | null | undefined): ToolsNarrowing | undefined {
  if (value === null || value === undefined) return undefined;
  const trimmed = value.trim();
  if (trimmed === '') return undefined;
  if (trimmed.toLowerCase() === 'none') return { kind: 'none' };
  const patterns = trimmed
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (patterns.length > MAX_HEADER_PATTERNS) throw headerError(`lists more than ${MAX_HEADER_PATTERNS} patterns`);
  if (patterns.some((p) => p.length > MAX_GLOB_LENGTH)) throw headerError(`has a pattern longer than ${MAX_GLOB_LENGTH} characters`);
  return patterns.length ? { kind: 'list', patterns } : { kind: 'none' };
}

function headerError(what: string) {
  return invalidRequest(`the x-tollgate-tools header ${what}`, 'x-tollgate-tools', 'invalid_tools_header');
}

/** A per-request policy allowing only what both the key and the header allow. */
export function narrowTools(policy: CompiledPolicy, narrowing: ToolsNarrowing | undefined): CompiledPolicy {
  if (!narrowing) return policy;
  const header = narrowing.kind === 'none' ? () => false : compileGlobs(narrowing.patterns);
  const previous = policy.narrowTool;
  // Chaining keeps any earlier narrowing: narrowing twice can only shrink the set further.
  const narrowTool = previous ? (name: string) => previous(name) && header(name) : header;
  return Object.assign({}, policy, { narrowTool });
}
