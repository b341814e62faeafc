// Label bounding for Prometheus series. Every label value that reaches prom-client passes through
// here: a value from a request (a model name, a tool name, an error type) becomes itself only when
// it is on a list fixed by configuration or code, else "other". A flood of made-up model names
// therefore cannot grow the series count (each label set is a series kept in memory forever).

import { ERROR_CODES, ERROR_TYPES } from '../errors.js';

export const OTHER = 'other';

export interface LabelBoundsOptions {
  /** 'provider/model' entries, or bare upstream names that count for any provider. */
  configuredModels: readonly string[];
  configuredProviders: readonly string[];
}

export interface ToolLabels {
  server: string;
  tool: string;
}

const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);
const REJECTION_LEVELS = new Set(['key', 'team', 'customer', 'tool']);
// Error types and codes are closed unions (src/errors.ts), so every one may be its own label value.
const ERROR_KINDS: ReadonlySet<string> = new Set([...ERROR_TYPES, ...ERROR_CODES]);
const TOOL_OUTCOMES = new Set(['ok', 'error', 'timeout', 'cancelled', 'invalid_arguments', 'unknown_tool', 'server_unavailable', 'denied']);

export interface LabelBounds {
  provider(name: string | null): string;
  model(provider: string | null, model: string | null): string;
  method(method: string): string;
  /** HTTP status as a label: a real status code or "other". */
  status(status: number): string;
  /** Bounded by the ErrorKind union; anything else (a value from outside the gateway) is "other". */
  errorType(type: string | null): string;
  rejectionLevel(level: string): string;
  toolOutcome(status: string): string;
}

export function createLabelBounds(opts: LabelBoundsOptions): LabelBounds {
  const providers = new Set(opts.configuredProviders);
  // 'provider/model' entries as provider -> models, split at every '/' (the same matches as the
  // string `${provider}/${model}` had), so a lookup builds no string: it runs on every chat request.
  const qualified = new Map<string, Set<string>>();
  const bare = new Set<string>();
  for (const m of opts.configuredModels) {
    if (!m.includes('/')) {
      bare.add(m);
      continue;
    }
    for (let i = m.indexOf('/'); i >= 0; i = m.indexOf('/', i + 1)) {
      const p = m.slice(0, i);
      let models = qualified.get(p);
      if (!models) qualified.set(p, (models = new Set()));
      models.add(m.slice(i + 1));
    }
  }
  return {
    provider: (name) => (name === null ? 'none' : providers.has(name) ? name : OTHER),
    model(provider, model) {
      if (model === null) return 'none';
      if (bare.has(model)) return model;
      if (provider !== null && providers.has(provider) && qualified.get(provider)?.has(model)) return model;
      return OTHER;
    },
    method: (m) => (METHODS.has(m) ? m : OTHER),
    status: (s) => (Number.isInteger(s) && s >= 0 && s <= 599 ? String(s) : OTHER),
    errorType: (t) => (t === null ? 'none' : ERROR_KINDS.has(t) ? t : OTHER),
    rejectionLevel: (l) => (REJECTION_LEVELS.has(l) ? l : OTHER),
    toolOutcome: (s) => (TOOL_OUTCOMES.has(s) ? s : OTHER),
  };
}

/** The route label from Hono's matched route pattern (never the raw path, which holds ids). */
export function routeLabel(pattern: string): string {
  return pattern === '' || pattern === '*' || pattern === '/*' ? 'unmatched' : pattern;
}
