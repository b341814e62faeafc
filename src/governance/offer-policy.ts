// The decisions for MCP prompts and resources at /mcp, beside decideTool (policy.ts). A key may
// list them explicitly — `prompts` globs on gateway names (`server__prompt`), `resources` globs on
// gateway URIs (`server+<uri>`), deny winning over allow as for tools. A key that lists neither
// gets, for each, what its tool rules reach: the prompts and resources of every server some tool
// allow pattern can name (`docs__*`, `docs__search`, `*`) unless a deny pattern takes the whole
// server (`docs__*`, `*`). So `tools: {allow: ["docs__search"]}` also opens the docs server's
// prompts and resources, and a key without tools sees no prompts or resources either.
import { compileGlobs, globCanMatchUnder, MAX_NAME_LENGTH, type Matcher } from './glob.js';

/** Resource URIs may be longer than names; still bounded before any matching. */
const MAX_URI_LENGTH = 4096;
import type { ToolRules } from './types.js';

export type OfferDecision = { allowed: true } | { allowed: false; reason: 'prompt_not_allowed' | 'resource_not_allowed'; message: string };

interface OfferRules {
  allowPrompt: Matcher;
  denyPrompt: Matcher;
  allowResource: Matcher;
  denyResource: Matcher;
}

const NEVER: Matcher = () => false;

/** Whether `glob` matches every name that starts with `prefix` (a deny pattern taking a whole server). */
export function globCoversPrefix(glob: string, prefix: string): boolean {
  const head = glob.replace(/\*+$/, '');
  if (head.length === glob.length) return false;
  const matches = compileGlobs([head]);
  for (let i = 0; i <= prefix.length; i++) if (matches(prefix.slice(0, i))) return true;
  return false;
}

/** Whether the tool rules reach `server`: some allow pattern can name one of its tools and no deny takes all of them. */
export function reachesServer(tools: ToolRules, server: string): boolean {
  const prefix = `${server}__`;
  return tools.allow.some((g) => globCanMatchUnder(g, prefix)) && !tools.deny.some((g) => globCoversPrefix(g, prefix));
}

/** The server part of a prompt name (`server__prompt`) or a resource URI (`server+<uri>`). */
const serverOfPrompt = (name: string) => name.slice(0, Math.max(0, name.indexOf('__')));
const serverOfUri = (uri: string) => uri.slice(0, Math.max(0, uri.indexOf('+')));

/** The default: allowed when the tool rules reach the item's server (memoised per server). */
function reachedBy(tools: ToolRules, serverOf: (name: string) => string): Matcher {
  const memo = new Map<string, boolean>();
  return (name) => {
    const server = serverOf(name);
    if (!server) return false;
    let reached = memo.get(server);
    if (reached === undefined) {
      reached = reachesServer(tools, server);
      // Bounded by the configured servers in practice; names from clients can be anything.
      if (memo.size < 1024) memo.set(server, reached);
    }
    return reached;
  };
}

export function compileOfferRules(key: {
  tools: ToolRules;
  prompts?: ToolRules | undefined;
  resources?: ToolRules | undefined;
}): OfferRules {
  return {
    allowPrompt: key.prompts ? compileGlobs(key.prompts.allow) : reachedBy(key.tools, serverOfPrompt),
    denyPrompt: key.prompts ? compileGlobs(key.prompts.deny) : NEVER,
    allowResource: key.resources ? compileGlobs(key.resources.allow) : reachedBy(key.tools, serverOfUri),
    denyResource: key.resources ? compileGlobs(key.resources.deny) : NEVER,
  };
}

const who = (keyId: string | null) => (keyId === null ? 'this gateway' : `virtual key ${keyId}`);

export function decidePrompt(policy: OfferRules & { keyId: string | null }, name: string): OfferDecision {
  if (name.length > MAX_NAME_LENGTH || policy.denyPrompt(name) || !policy.allowPrompt(name)) {
    return { allowed: false, reason: 'prompt_not_allowed', message: `prompt ${name} is not allowed for ${who(policy.keyId)}` };
  }
  return { allowed: true };
}

export function decideResource(policy: OfferRules & { keyId: string | null }, uri: string): OfferDecision {
  if (uri.length > MAX_URI_LENGTH || policy.denyResource(uri) || !policy.allowResource(uri)) {
    return { allowed: false, reason: 'resource_not_allowed', message: `resource ${uri} is not allowed for ${who(policy.keyId)}` };
  }
  return { allowed: true };
}
