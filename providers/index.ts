// The provider registry: adding a provider is one folder and one line here.
import type { ProviderAdapter } from './types.js';
import { openaiAdapter } from './openai/index.js';
import { anthropicAdapter } from './anthropic/index.js';
import { demoAdapter } from './demo/index.js';

export const adapters: Readonly<Record<string, ProviderAdapter>> = {
  openai: openaiAdapter,
  anthropic: anthropicAdapter,
  demo: demoAdapter,
};

export type { ProviderAdapter, InProcessUpstream, AdapterContext, StreamTranslator, UpstreamRequest, SseEvent } from './types.js';
