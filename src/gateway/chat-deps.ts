// Builds what the request pipeline needs (ChatDeps, shared by every surface): the upstream client,
// the model → provider resolver, pricing, and the governance and tool hooks. Separate from
// gateway.ts because it is the one place the loop's ports are wired to their implementations.
import type { Dispatcher } from 'undici';
import type { Config } from '../config-schema.js';
import type { Logger } from '../logger.js';
import { adapters } from '../../providers/index.js';
import { createTargetResolver } from '../chat/targets.js';
import { createUpstreamClient, createDispatcher, type UpstreamClient } from '../upstream/client.js';
import { withInProcessUpstreams } from '../upstream/in-process.js';
import { HiddenCalls } from '../chat/stitch.js';
import type { ChatDeps } from '../chat/handler.js';
import type { LedgerSink, Metrics, ToolRuntime } from '../chat/ports.js';
import { createPricing } from '../ledger/pricing.js';
import type { GovernanceGate } from '../governance/gate.js';
import { sleep } from '../chat/sleep.js';
import type { ContainerDeps } from '../governance/owned-containers.js';

export interface ChatDepsOptions {
  config: Config;
  logger: Logger;
  gate: GovernanceGate;
  tools: ToolRuntime;
  ledger: LedgerSink;
  metrics: Metrics;
  providersMissingKeys?: Record<string, string[]> | undefined;
  dispatcher?: Dispatcher | undefined;
  retryBaseMs?: number | undefined;
  /** Where the audio ids each key was shown are recorded (the containers' store: responses-deps.ts containerDeps). */
  audio: ContainerDeps;
}

export function createChatDeps(opts: ChatDepsOptions): { chat: ChatDeps; upstream: UpstreamClient } {
  const { config, logger, gate, tools } = opts;
  const pricing = createPricing({
    overrides: config.pricing,
    toolCosts: config.toolCosts,
    unpricedModels: config.unpricedModels,
    hostedTools: config.hostedTools,
  });
  for (const [name, p] of Object.entries(config.providers)) {
    for (const model of p.models) {
      if (!pricing.priceOf(name, model))
        logger.warn(
          `no price for ${name}/${model}: its cost is recorded as NULL (flagged cost_unknown) until "pricing" in the config has it`,
        );
    }
  }
  // The built-in demo provider answers in-process (providers/demo); nothing else does.
  const inProcess = Object.values(config.providers).flatMap((p) => adapters[p.type]?.inProcess ?? []);
  const upstream = withInProcessUpstreams(createUpstreamClient(opts.dispatcher ?? createDispatcher()), [...new Set(inProcess)]);
  const targets = createTargetResolver(config.providers, adapters, opts.providersMissingKeys);
  const chat: ChatDeps = {
    gate,
    targets,
    toolsFor: (access, header) => gate.toolsFor(access, header, tools),
    llm: { upstream, sleep, random: Math.random, retryBaseMs: opts.retryBaseMs ?? 250, maxRetryWaitMs: 20_000 },
    pricing,
    ledger: opts.ledger,
    metrics: opts.metrics,
    tools,
    hidden: new HiddenCalls(),
    sessionHeaders: config.sessionHeaders.map((h) => h.toLowerCase()),
    requestLimits: config.requestLimits,
    now: () => performance.now(),
    payloads: config.ledger.payloads,
    audio: opts.audio,
  };
  return { chat, upstream };
}
