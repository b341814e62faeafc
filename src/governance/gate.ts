// The chat pipeline's view of governance: authenticate, rate-limit, then hand out an Access that
// answers model, tool and budget questions for this one request.
import type { LoopLimits } from '../config-schema.js';
import type { Logger } from '../logger.js';
import type { Access, Gate, Reservation, ToolDecision, ToolEntry, ToolRuntime } from '../chat/ports.js';
import type { Target } from '../chat/targets.js';
import { parseVirtualKey } from './keys.js';
import { decideModel, decideTool } from './policy.js';
import { decidePrompt, decideResource, decideResourceTemplate, type OfferDecision, type OfferKind } from './offer-policy.js';
import { narrowTools, parseToolsHeader } from './tools-header.js';
import { requesterOf, withRequester } from './requester.js';
import { GatewayError } from '../errors.js';
import type { GovernanceRegistry } from './registry.js';
import type { BudgetGuard, Reservation as BudgetReservation } from './budgets.js';
import type { CallHold, RateLimiter } from './rate-limit.js';
import type { CompiledPolicy, KeyContext } from './types.js';

export interface GovernanceGate extends Gate {
  /** The MCP tools this access may use, narrowed by x-tollgate-tools; cached per policy and tool-set version. */
  toolsFor(access: Access, header: string | undefined, tools: ToolRuntime | null): readonly ToolEntry[];
  /** /mcp prompts (gateway names) and resources (gateway URIs): the same decision lists and calls use. */
  decideOffer(access: Access, kind: OfferKind, name: string): OfferDecision;
  /** The items of `list` this access may use; cached per policy and list (lists are immutable snapshots). */
  allowedOffers<T extends object>(access: Access, kind: OfferKind, list: readonly T[], nameOf: (item: T) => string): readonly T[];
  /** The Access of `access`'s key as it is now (what holds one, an /mcp session, after a change); throws 401/403 as admission would. */
  refresh(access: Access): Access;
  /** Called after each change of keys, teams or customers (admin write, reload); returns its removal. */
  onKeysChanged(listener: () => void): () => void;
}

interface GateDeps {
  registry: GovernanceRegistry;
  budgets: BudgetGuard;
  rateLimiter: RateLimiter;
  defaultLoop: LoopLimits;
  logger: Logger;
}

const TOOL_SLOT_TAKEN: ToolDecision = Object.freeze({ allowed: true });

interface ToolCache {
  version: number;
  byHeader: Map<string, readonly ToolEntry[]>;
}

export function createGovernanceGate(deps: GateDeps): GovernanceGate {
  const toolCache = new WeakMap<CompiledPolicy, ToolCache>();
  const offerCache = new WeakMap<CompiledPolicy, WeakMap<readonly object[], readonly object[]>>();
  const decideOffer = (policy: CompiledPolicy, kind: OfferKind, name: string) =>
    kind === 'prompt'
      ? decidePrompt(policy, name)
      : kind === 'resource'
        ? decideResource(policy, name)
        : decideResourceTemplate(policy, name);
  const logFailure = (what: string) => (err: unknown) => deps.logger.error({ err: (err as Error).message }, `${what} failed`);
  const tokenCountFailed = logFailure('token count');
  /**
   * Each key's Access, built again only when its records change (the registry replaces them): an
   * Access was an object and eight closures per request. It holds nothing of one request.
   */
  const accesses = new WeakMap<object, { ctx: KeyContext; access: Access }>();
  const contexts = new WeakMap<Access, KeyContext>();
  const accessOf = (ctx: KeyContext): Access => {
    if (!ctx.key) return accessFor(ctx);
    const cached = accesses.get(ctx.key);
    if (cached && cached.ctx.team === ctx.team && cached.ctx.customer === ctx.customer && cached.ctx.policy === ctx.policy)
      return cached.access;
    const access = accessFor(ctx);
    accesses.set(ctx.key, { ctx, access });
    return access;
  };

  function accessFor(ctx: KeyContext): Access {
    // The key as it is now (registry.current), at each point of use: a loop's next round, a tool
    // call, outlive a change of their key, and must get what a fresh request would (issue: revoke).
    const live = ctx.key ? () => deps.registry.current(ctx) : () => ctx;
    // An upstream call's key now, and its target re-checked when the key's rules changed since admission.
    const liveFor = (target: Target | undefined): KeyContext => {
      const now = live();
      if (target && now.policy !== ctx.policy) {
        const decision = decideModel(now.policy, target.providerName, target.model);
        if (!decision.allowed) throw withRequester(decision.error, now);
      }
      return now;
    };
    const access: Access = {
      keyId: ctx.key?.id ?? null,
      teamId: ctx.team?.id ?? null,
      customerId: ctx.customer?.id ?? null,
      loop: ctx.key?.loop ?? deps.defaultLoop,
      policyKey: ctx.policy,
      checkModel(target: Target) {
        const decision = decideModel(ctx.policy, target.providerName, target.model);
        if (!decision.allowed) throw decision.error;
      },
      decideTool(name) {
        let now: KeyContext;
        try {
          now = live();
        } catch (err) {
          // Deleted or blocked since: the call is refused as the model's tool result, with the key's error as reason.
          const error = err as GatewayError;
          return { allowed: false, reason: error.type, message: error.message };
        }
        return toToolDecision(decideTool(now.policy, name));
      },
      needsApproval(name) {
        try {
          return live().policy.needsApproval(name);
        } catch {
          return true; // deleted or blocked since: decideTool refuses it first; never run unasked
        }
      },
      async checkToolRate(name): Promise<ToolDecision> {
        const r = await deps.rateLimiter.checkTool(ctx, name);
        return r.ok ? { allowed: true } : { allowed: false, reason: r.reason, message: r.message };
      },
      startToolCall(): ToolDecision {
        const r = deps.rateLimiter.startToolCall(ctx);
        return r.ok ? TOOL_SLOT_TAKEN : { allowed: false, reason: r.reason, message: r.message };
      },
      endToolCall: () => deps.rateLimiter.endToolCall(ctx),
      budgeted: hasBudget(ctx),
      reserve: (amountUsd) => deps.budgets.reserve(live(), amountUsd),
      // The guard retries these until they land (and logs failures through its RetryQueue).
      settle: (reservation: Reservation, actualUsd) => void deps.budgets.settle(reservation as BudgetReservation, actualUsd),
      release: (reservation: Reservation) => void deps.budgets.release(reservation as BudgetReservation),
      startCall: (tokens, target) => deps.rateLimiter.startCall(liveFor(target), tokens),
      holdSlot: () => deps.rateLimiter.holdSlot(ctx),
      endCall: (hold) => deps.rateLimiter.endCall(hold as CallHold),
      settleTokens: (hold, tokens) => void deps.rateLimiter.settleTokens(hold as CallHold, tokens).catch(tokenCountFailed),
    };
    contexts.set(access, ctx);
    return access;
  }

  return {
    async admit(headers, calls = 1) {
      const ctx = deps.registry.authenticate(parseVirtualKey(headers));
      try {
        await deps.rateLimiter.checkRequest(ctx, calls);
      } catch (err) {
        throw withRequester(err, ctx);
      }
      return accessOf(ctx);
    },
    identify(headers) {
      try {
        const ctx = deps.registry.authenticate(parseVirtualKey(headers));
        return ctx.key ? requesterOf(ctx) : undefined;
      } catch (err) {
        // A blocked key is still named (its 403 carries who it refused); a missing or unknown one is not.
        return err instanceof GatewayError ? err.requester : undefined;
      }
    },
    refresh(access) {
      const ctx = contexts.get(access);
      return ctx ? accessOf(deps.registry.current(ctx)) : access;
    },
    onKeysChanged: (listener) => deps.registry.onKeysChanged(listener),
    decideOffer: (access, kind, name) => decideOffer(access.policyKey as CompiledPolicy, kind, name),
    allowedOffers(access, kind, list, nameOf) {
      const policy = access.policyKey as CompiledPolicy;
      let lists = offerCache.get(policy);
      if (!lists) offerCache.set(policy, (lists = new WeakMap()));
      let allowed = lists.get(list) as typeof list | undefined;
      if (!allowed) {
        allowed = list.filter((item) => decideOffer(policy, kind, nameOf(item)).allowed);
        lists.set(list, allowed);
      }
      return allowed;
    },
    toolsFor(access, header, tools) {
      if (!tools) return [];
      const policy = access.policyKey as CompiledPolicy;
      let cache = toolCache.get(policy);
      if (!cache || cache.version !== tools.version) {
        cache = { version: tools.version, byHeader: new Map() };
        toolCache.set(policy, cache);
      }
      const cacheKey = header ?? '';
      let list = cache.byHeader.get(cacheKey);
      if (!list) {
        const narrowed = narrowTools(policy, parseToolsHeader(header));
        list = tools.tools().filter((t) => decideTool(narrowed, t.name).allowed);
        // Bounded: a client sending ever-new header values must not grow memory without limit.
        if (cache.byHeader.size < 256) cache.byHeader.set(cacheKey, list);
      }
      return list;
    },
  };
}

function hasBudget(ctx: KeyContext): boolean {
  return ctx.key?.budget !== undefined || ctx.team?.budget !== undefined || ctx.customer?.budget !== undefined;
}

function toToolDecision(d: ReturnType<typeof decideTool>): ToolDecision {
  return d.allowed ? { allowed: true } : { allowed: false, reason: d.reason, message: d.message };
}
