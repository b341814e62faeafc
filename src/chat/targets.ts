// Model routing: `provider/model` → the provider's config and adapter. Built once from config.
import { GatewayError, invalidRequest } from '../errors.js';
import type { ProviderConfig } from '../config-schema.js';
import type { ProviderAdapter, WireFormat } from '../../providers/types.js';

export interface Target {
  /** `provider/model`, as clients and the ledger name it. */
  id: string;
  providerName: string;
  provider: ProviderConfig;
  adapter: ProviderAdapter;
  /** The name the upstream knows. */
  model: string;
  /** Set when the config named keys whose variables were unset: requests fail fast and clearly. */
  missingKeyVars?: string[];
  /** Formats the upstream speaks natively (pass-through); others are translated through chat. */
  apis: ReadonlySet<WireFormat>;
}

export interface ProviderRuntime {
  name: string;
  config: ProviderConfig;
  adapter: ProviderAdapter;
  apis: ReadonlySet<WireFormat>;
  missingKeyVars?: string[];
}

export interface TargetResolver {
  resolve(model: string, param?: string): Target;
  providers(): readonly ProviderRuntime[];
}

export function createTargetResolver(
  providers: Record<string, ProviderConfig>,
  adapters: Readonly<Record<string, ProviderAdapter>>,
  missingKeyVars: Record<string, string[]> = {},
): TargetResolver {
  const runtimes = new Map<string, ProviderRuntime>();
  for (const [name, config] of Object.entries(providers)) {
    const adapter = adapters[config.type];
    if (!adapter) throw new Error(`provider ${name}: unknown type "${config.type}" (known: ${Object.keys(adapters).join(', ')})`);
    const missing = missingKeyVars[name];
    const apis = new Set<WireFormat>(config.apis ?? adapter.apis ?? ['chat']);
    for (const api of apis)
      if (api !== 'chat' && !adapter.nativeRequest)
        throw new Error(`provider ${name}: type "${config.type}" cannot pass "${api}" requests through (apis)`);
    runtimes.set(name, {
      name,
      apis,
      config: Object.assign({}, config, { baseUrl: config.baseUrl.replace(/\/+$/, '') }),
      adapter,
      ...(missing?.length ? { missingKeyVars: missing } : {}),
    });
  }
  // Unprefixed names resolve through the providers' `models` lists (first provider listing it wins).
  const byBareModel = new Map<string, ProviderRuntime>();
  for (const runtime of runtimes.values()) {
    for (const model of runtime.config.models) if (!byBareModel.has(model)) byBareModel.set(model, runtime);
  }
  const list = [...runtimes.values()];

  return {
    providers: () => list,
    resolve(model, param = 'model') {
      // A NUL or other control character in a model name is never a real model; refused here, before
      // it is forwarded upstream or reaches the ledger (PostgreSQL rejects NUL in text).
      if (CONTROL_CHAR.test(model)) throw invalidRequest('model names may not contain control characters', param, 'invalid_model_name');
      const slash = model.indexOf('/');
      let runtime: ProviderRuntime | undefined;
      let upstreamModel = model;
      if (slash > 0) {
        runtime = runtimes.get(model.slice(0, slash));
        upstreamModel = model.slice(slash + 1);
      }
      // "meta-llama/Llama-3" style names: a slash that is not a configured provider may still be a listed model.
      if (!runtime) {
        runtime = byBareModel.get(model);
        upstreamModel = model;
      }
      if (!runtime || !upstreamModel) {
        const hint = slash > 0 ? `unknown provider "${model.slice(0, slash)}"` : 'no provider lists this model; use "provider/model"';
        throw invalidRequest(`model "${model}": ${hint}`, param, 'model_not_found');
      }
      return {
        id: `${runtime.name}/${upstreamModel}`,
        providerName: runtime.name,
        provider: runtime.config,
        adapter: runtime.adapter,
        apis: runtime.apis,
        model: upstreamModel,
        ...(runtime.missingKeyVars ? { missingKeyVars: runtime.missingKeyVars } : {}),
      };
    },
  };
}

// (From a string: control characters in a regex literal are flagged by the linter.)
const CONTROL_CLASS = '[\\u0000-\\u001f\\u007f]';
const CONTROL_CHAR = new RegExp(CONTROL_CLASS);

export function missingKeyError(target: Target): GatewayError {
  return new GatewayError({
    status: 503,
    type: 'upstream_error',
    code: 'provider_key_missing',
    message: `provider ${target.providerName} has no API key configured: set ${target.missingKeyVars!.join(', ')} and restart`,
  });
}
