// The built-in demo provider (providers/demo) makes the example config work without a key. It must
// never reach production by accident: a config that enables it is refused under
// NODE_ENV=production unless TOLLGATE_ALLOW_DEMO=1 says it is meant.
import { adapters } from '../providers/index.js';
import type { Config } from './config-schema.js';
import { ConfigError } from './config.js';

/** Names of the configured providers that are built-in demos (answered in-process). */
export function demoProviders(config: Pick<Config, 'providers'>): string[] {
  return Object.entries(config.providers)
    .filter(([, p]) => adapters[p.type]?.inProcess !== undefined)
    .map(([name]) => name);
}

export function refuseDemoInProduction(config: Pick<Config, 'providers'>, env: Record<string, string | undefined>, source: string): void {
  const demos = demoProviders(config);
  if (demos.length === 0 || env.NODE_ENV !== 'production' || env.TOLLGATE_ALLOW_DEMO === '1') return;
  throw new ConfigError(
    `${source} enables the built-in demo provider (${demos.join(', ')}), which answers with an echo model, and NODE_ENV=production: ` +
      'remove it from the config, or set TOLLGATE_ALLOW_DEMO=1 if you really mean to run it',
  );
}
