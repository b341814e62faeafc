// Loads the config file: JSON → `${VAR}` interpolation → zod validation.
// Errors are meant for a human at a terminal: they name the file and the field.
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { z } from 'zod';
import { configSchema, type Config } from './config-schema.js';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export interface LoadedConfig {
  config: Config;
  /** Things an operator should see at startup (unset variables, skipped entries). */
  warnings: string[];
  /** Providers whose every configured key came from an unset variable → those variable names. */
  providersMissingKeys: Record<string, string[]>;
}

const VAR = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;
/** `${VAR}` from the environment, or `${file:/path}`: the file's content (one trailing newline dropped). */
const PLACEHOLDER = /\$\{(?:file:([^}]+)|([A-Za-z_][A-Za-z0-9_]*))\}/g;

/**
 * Replaces `${VAR}` and `${file:/path}` inside every string of a parsed JSON value; records the
 * variables that were unset. `problems` (when given) collects what must stop startup: a file that
 * cannot be read, and an unset variable inside a longer string — `"vk-team-${UNSET}"` would
 * otherwise load as the guessable `"vk-team-"`. A string that is only `${UNSET}` becomes "" (the
 * entries it belongs to are dropped with a warning, see dropUnsetSecrets).
 */
export function interpolate(
  value: unknown,
  env: Record<string, string | undefined>,
  missing: Set<string>,
  problems?: string[],
  path = '',
): unknown {
  if (typeof value === 'string') {
    let unset: string | undefined;
    const out = value.replace(PLACEHOLDER, (whole, file: string | undefined, name: string | undefined) => {
      if (file !== undefined) {
        try {
          return readFileSync(file, 'utf8').replace(/\r?\n$/, '');
        } catch (err) {
          problems?.push(`${path || '(root)'}: cannot read ${whole}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
          return '';
        }
      }
      const v = env[name!];
      if (v === undefined || v === '') {
        missing.add(name!);
        unset ??= name;
      }
      return v ?? '';
    });
    if (unset !== undefined && value.replace(PLACEHOLDER, '') !== '')
      problems?.push(`${path || '(root)'}: variable ${unset} is not set, and the value has other text around it; set it`);
    return out;
  }
  const at = (key: string | number) => (path ? `${path}.${key}` : String(key));
  if (Array.isArray(value)) return value.map((v, i) => interpolate(v, env, missing, problems, at(i)));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, env, missing, problems, at(k))]));
  }
  return value;
}

function formatIssues(error: z.ZodError, source: string): string {
  const lines = error.issues.map((issue) => {
    const path = issue.path.length ? issue.path.map(String).join('.') : '(root)';
    return `  - ${path}: ${issue.message}`;
  });
  return `invalid config in ${source}:\n${lines.join('\n')}`;
}

/**
 * Entries whose secret came from an unset variable are dropped with a warning, so the example
 * config starts with no secrets: a provider without keys still loads (its requests fail clearly),
 * a virtual key without a secret is skipped.
 */
function dropUnsetSecrets(raw: Record<string, unknown>, original: Record<string, unknown>, warnings: string[]): Record<string, string[]> {
  const missingByProvider: Record<string, string[]> = {};
  const providers = raw.providers as Record<string, { keys?: { value?: string }[] }> | undefined;
  const originals = original.providers as Record<string, { keys?: { value?: unknown }[] }> | undefined;
  for (const [name, p] of Object.entries(providers ?? {})) {
    if (!Array.isArray(p?.keys)) continue;
    const before = p.keys.length;
    const vars = (originals?.[name]?.keys ?? []).flatMap((k) =>
      typeof k?.value === 'string' ? [...k.value.matchAll(VAR)].map((m) => m[1]!) : [],
    );
    p.keys = p.keys.filter((k) => typeof k?.value !== 'string' || k.value !== '');
    if (p.keys.length < before)
      warnings.push(`provider ${name}: ${before - p.keys.length} key(s) empty (${vars.join(', ') || 'variable'} unset)`);
    if (before > 0 && p.keys.length === 0) missingByProvider[name] = vars;
  }
  if (Array.isArray(raw.virtualKeys)) {
    raw.virtualKeys = raw.virtualKeys.filter((vk: { id?: string; key?: string }) => {
      if (vk?.key !== '') return true;
      warnings.push(`virtual key ${vk.id ?? '?'} skipped: its secret is empty (variable unset)`);
      return false;
    });
  }
  return missingByProvider;
}

export function parseConfig(text: string, source: string, env: Record<string, string | undefined>): LoadedConfig {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`invalid config in ${source}: not valid JSON (${(err as Error).message})`);
  }
  if (!json || typeof json !== 'object' || Array.isArray(json))
    throw new ConfigError(`invalid config in ${source}: expected a JSON object`);
  const missing = new Set<string>();
  const problems: string[] = [];
  const raw = interpolate(json, env, missing, problems) as Record<string, unknown>;
  if (problems.length) throw new ConfigError(`invalid config in ${source}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  const warnings = [...missing].sort().map((name) => `variable ${name} is not set`);
  const providersMissingKeys = dropUnsetSecrets(raw, json as Record<string, unknown>, warnings);
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(formatIssues(parsed.error, source));
  checkReferences(parsed.data, source);
  return { config: parsed.data, warnings, providersMissingKeys };
}

/** Cross-references zod cannot see: teams name real customers, keys name real teams, ids unique. */
function checkReferences(config: Config, source: string): void {
  const problems: string[] = [];
  const customers = new Set(config.customers.map((c) => c.id));
  const teams = new Set(config.teams.map((t) => t.id));
  config.teams.forEach((t, i) => {
    if (t.customer && !customers.has(t.customer)) problems.push(`teams.${i}.customer: unknown customer "${t.customer}"`);
  });
  const ids = new Set<string>();
  config.virtualKeys.forEach((k, i) => {
    if (k.team && !teams.has(k.team)) problems.push(`virtualKeys.${i}.team: unknown team "${k.team}"`);
    if (ids.has(k.id)) problems.push(`virtualKeys.${i}.id: duplicate id "${k.id}"`);
    ids.add(k.id);
  });
  if (problems.length) throw new ConfigError(`invalid config in ${source}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
}

export async function loadConfig(path: string, env: Record<string, string | undefined> = process.env): Promise<LoadedConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read config file ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return parseConfig(text, path, env);
}
