// THE decision functions for models and tools. Every place that offers, runs or exposes a tool
// (the chat tool list, each tool call before it runs, the /mcp server) asks decideTool, so the
// rules cannot drift apart. Policies are compiled once per key version and cached by the registry.
import { GatewayError, invalidRequest } from '../errors.js';
import { compileGlobs, globCanMatchUnder, MAX_NAME_LENGTH } from './glob.js';
import { compileOfferRules } from './offer-policy.js';
import type { CompiledPolicy, VirtualKeyRecord } from './types.js';
import { parseWindowMs } from './window.js';

export type ToolDecision = { allowed: true } | { allowed: false; reason: 'tool_not_allowed' | 'tool_denied'; message: string };

export type ModelDecision = { allowed: true } | { allowed: false; error: GatewayError };

type PolicySource = Pick<VirtualKeyRecord, 'id' | 'models' | 'tools' | 'toolLimits' | 'rateLimit'> &
  Partial<Pick<VirtualKeyRecord, 'prompts' | 'resources' | 'approval'>>;

export function compilePolicy(key: PolicySource): CompiledPolicy {
  return {
    keyId: key.id,
    modelGlobs: [...key.models],
    matchModel: compileGlobs(key.models),
    allowTool: compileGlobs(key.tools.allow),
    denyTool: compileGlobs(key.tools.deny),
    ...compileOfferRules(key),
    toolLimits: key.toolLimits.map((l) => ({
      tool: l.tool,
      calls: l.calls,
      windowMs: parseWindowMs(l.window),
      matches: compileGlobs([l.tool]),
    })),
    needsApproval: compileGlobs(key.approval ?? []),
    rateWindowMs: key.rateLimit ? parseWindowMs(key.rateLimit.window) : undefined,
    providerMemo: new Map(),
  };
}

/** Used when requireVirtualKey is false and no key was sent: every model, every tool, no limits. */
export const OPEN_POLICY: CompiledPolicy = Object.freeze({
  keyId: null,
  modelGlobs: ['*'],
  matchModel: () => true,
  allowTool: () => true,
  denyTool: () => false,
  allowPrompt: () => true,
  denyPrompt: () => false,
  allowResource: () => true,
  denyResource: () => false,
  toolLimits: [],
  needsApproval: () => false,
  providerMemo: new Map<string, boolean>(),
});

const who = (policy: CompiledPolicy) => (policy.keyId === null ? 'this gateway' : `virtual key ${policy.keyId}`);

export function decideTool(policy: CompiledPolicy, gatewayToolName: string): ToolDecision {
  // Before any matching: names come from models and /mcp clients and can be any length.
  if (gatewayToolName.length > MAX_NAME_LENGTH) {
    return { allowed: false, reason: 'tool_not_allowed', message: `tool names are at most ${MAX_NAME_LENGTH} characters` };
  }
  // Deny wins over allow, whatever the order of the lists.
  if (policy.denyTool(gatewayToolName)) {
    return { allowed: false, reason: 'tool_denied', message: `tool ${gatewayToolName} is denied for ${who(policy)}` };
  }
  if (!policy.allowTool(gatewayToolName)) {
    return { allowed: false, reason: 'tool_not_allowed', message: `tool ${gatewayToolName} is not in the allow-list of ${who(policy)}` };
  }
  if (policy.narrowTool && !policy.narrowTool(gatewayToolName)) {
    return { allowed: false, reason: 'tool_not_allowed', message: `tool ${gatewayToolName} was excluded by the x-tollgate-tools header` };
  }
  return { allowed: true };
}

function providerPossible(policy: CompiledPolicy, provider: string): boolean {
  let possible = policy.providerMemo.get(provider);
  if (possible === undefined) {
    possible = policy.modelGlobs.some((g) => globCanMatchUnder(g, `${provider}/`));
    policy.providerMemo.set(provider, possible);
  }
  return possible;
}

export function decideModel(policy: CompiledPolicy, provider: string, model: string): ModelDecision {
  if (model.length > MAX_NAME_LENGTH) {
    return { allowed: false, error: invalidRequest(`model names are at most ${MAX_NAME_LENGTH} characters`, 'model') };
  }
  const full = `${provider}/${model}`;
  if (policy.matchModel(full)) return { allowed: true };
  const allowed = policy.modelGlobs.length ? policy.modelGlobs.join(', ') : 'none';
  if (!providerPossible(policy, provider)) {
    return {
      allowed: false,
      error: new GatewayError({
        status: 403,
        type: 'provider_blocked',
        param: 'model',
        message: `provider ${provider} is not allowed for ${who(policy)} (model ${full}; allowed models: ${allowed})`,
      }),
    };
  }
  return {
    allowed: false,
    error: new GatewayError({
      status: 403,
      type: 'model_blocked',
      param: 'model',
      message: `model ${full} is not allowed for ${who(policy)} (allowed models: ${allowed})`,
    }),
  };
}

type NamedTool = { name: string } | { function: { name: string } };
const defaultName = (t: NamedTool): string => ('function' in t ? t.function.name : t.name);

/** Keeps the tools this policy allows. Works on MCP-style `{name}` and OpenAI `{function:{name}}` tools. */
export function filterTools<T>(policy: CompiledPolicy, tools: readonly T[], nameOf?: (tool: T) => string): T[] {
  const name = nameOf ?? (defaultName as unknown as (tool: T) => string);
  return tools.filter((t) => decideTool(policy, name(t)).allowed);
}
