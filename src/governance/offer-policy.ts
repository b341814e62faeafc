// The decisions for MCP prompts and resources at /mcp, beside decideTool (policy.ts). A key may
// list them explicitly — `prompts` globs on gateway names (`server__prompt`), `resources` globs on
// gateway URIs (`server+<uri>`), deny winning over allow as for tools. A key that lists neither
// gets, for each, what its tool rules reach: the prompts and resources of every server some tool
// allow pattern can name (`docs__*`, `docs__search`, `*`) unless a deny pattern takes the whole
// server (`docs__*`, `*`). So `tools: {allow: ["docs__search"]}` also opens the docs server's
// prompts and resources, and a key without tools sees no prompts or resources either.
import { compileGlobs, globCanMatchUnder, MAX_NAME_LENGTH, type Matcher } from './glob.js';
import type { ToolRules } from './types.js';

/** Resource URIs may be longer than names; still bounded before any matching. */
const MAX_URI_LENGTH = 4096;

export type OfferDecision = { allowed: true } | { allowed: false; reason: 'prompt_not_allowed' | 'resource_not_allowed'; message: string };

/** `template`: a resource template, decided on its text; `resource`: a URI, decided also as read (decideResource). */
export type OfferKind = 'prompt' | 'resource' | 'template';

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

const resourceRulesAllow = (policy: OfferRules, uri: string) => !policy.denyResource(uri) && policy.allowResource(uri);

/** A resource template (listed, or the reference of a completion) is decided on its text: it is never read itself. */
export function decideResourceTemplate(policy: OfferRules & { keyId: string | null }, uriTemplate: string): OfferDecision {
  if (uriTemplate.length > MAX_URI_LENGTH || !resourceRulesAllow(policy, uriTemplate)) {
    return { allowed: false, reason: 'resource_not_allowed', message: `resource ${uriTemplate} is not allowed for ${who(policy.keyId)}` };
  }
  return { allowed: true };
}

/** A concrete resource URI (listed, read, subscribed to) is decided as sent and as its server reads it. */
export function decideResource(policy: OfferRules & { keyId: string | null }, uri: string): OfferDecision {
  const asSent = decideResourceTemplate(policy, uri);
  if (!asSent.allowed) return asSent;
  const read = uriAsRead(uri);
  if (read !== undefined && !readAllowed(policy, read)) {
    return {
      allowed: false,
      reason: 'resource_not_allowed',
      message: `resource ${uri} is not allowed for ${who(policy.keyId)}: its server reads it as ${read}`,
    };
  }
  return { allowed: true };
}

/**
 * The URI as read, spelled as the URL parser leaves it (spaces and braces percent-encoded) or
 * decoded, as a server may hold it: denied if either spelling is, allowed if either is, so an
 * honest `docs+file:///My Docs/a` stays allowed under `docs+file:///My Docs/*`.
 */
function readAllowed(policy: OfferRules, read: string): boolean {
  let decoded: string | undefined;
  try {
    decoded = decodeURI(read);
  } catch {
    decoded = undefined;
  }
  const spellings = decoded === undefined || decoded === read ? [read] : [read, decoded];
  return !spellings.some((u) => policy.denyResource(u)) && spellings.some((u) => policy.allowResource(u));
}

/**
 * The gateway URI of what a server reads for `uri`, when that differs from `uri`: servers parse
 * the URI they are sent as a WHATWG URL (the MCP SDK's McpServer looks resources up by
 * `new URL(uri).toString()`), which resolves dot segments (`/../`, `/%2e%2e/`), lower-cases the
 * scheme and drops tabs and newlines. Rules are globs on the text, so a URI is decided both as sent
 * and as read: `docs+file:///public/../secret` is not read under `docs+file:///public/*`.
 */
export function uriAsRead(uri: string): string | undefined {
  const at = uri.indexOf('+');
  if (at <= 0) return undefined;
  let href: string;
  try {
    href = new URL(uri.slice(at + 1)).href;
  } catch {
    // Not a URL: a server that parses URIs refuses it too; one that does not reads the text decided on.
    return undefined;
  }
  const read = uri.slice(0, at + 1) + href;
  return read === uri ? undefined : read;
}
