// Conversions between the config/API shapes and the stored records, and the public (secret-free)
// view the admin API returns.
import type { CustomerConfig, TeamConfig, VirtualKeyConfig } from '../config-schema.js';
import { invalidRequest } from '../errors.js';
import type { CustomerRecord, TeamRecord, VirtualKeyRecord } from './types.js';
import { parseWindowMs } from './window.js';

/** A config entry without its secret: what POST /api/virtual-keys takes. */
export type VirtualKeyInput = Omit<VirtualKeyConfig, 'key'>;
/** PATCH: top-level fields replace the stored ones; `null` clears an optional one. */
export type VirtualKeyPatch = Partial<Omit<VirtualKeyInput, 'id' | 'budget' | 'rateLimit' | 'name' | 'team' | 'prompts' | 'resources'>> & {
  prompts?: VirtualKeyInput['prompts'] | null;
  resources?: VirtualKeyInput['resources'] | null;
  name?: string | null;
  team?: string | null;
  budget?: VirtualKeyInput['budget'] | null;
  rateLimit?: VirtualKeyInput['rateLimit'] | null;
};
export type TeamInput = TeamConfig;
export type TeamPatch = { customer?: string | null; budget?: TeamConfig['budget'] | null };
export type CustomerInput = CustomerConfig;
export type CustomerPatch = { budget?: CustomerConfig['budget'] | null };

type Source = 'config' | 'api';

const parseExpiry = (v: string | null | undefined): number | null => (v ? Date.parse(v) : null);

/** Rejects windows the schema's regex lets through but that mean nothing ("0m"). */
export function checkWindows(input: Pick<VirtualKeyInput, 'rateLimit' | 'toolLimits'>): void {
  const check = (spec: string, param: string) => {
    try {
      parseWindowMs(spec);
    } catch (err) {
      throw invalidRequest((err as Error).message, param);
    }
  };
  if (input.rateLimit) check(input.rateLimit.window, 'rateLimit.window');
  for (const [i, l] of (input.toolLimits ?? []).entries()) check(l.window, `toolLimits.${i}.window`);
}

export function keyRecordFromInput(input: VirtualKeyInput, keyHash: string, source: Source, now: number): VirtualKeyRecord {
  return {
    id: input.id,
    name: input.name,
    keyHash,
    team: input.team,
    models: input.models,
    tools: { allow: input.tools.allow, deny: input.tools.deny },
    ...(input.prompts ? { prompts: { allow: input.prompts.allow, deny: input.prompts.deny } } : {}),
    ...(input.resources ? { resources: { allow: input.resources.allow, deny: input.resources.deny } } : {}),
    budget: input.budget,
    rateLimit: input.rateLimit,
    toolLimits: input.toolLimits,
    ...(input.approval?.length ? { approval: input.approval } : {}),
    loop: input.loop,
    disabled: input.disabled,
    expiresAt: parseExpiry(input.expiresAt),
    source,
    createdAt: now,
    updatedAt: now,
  };
}

export function applyKeyPatch(record: VirtualKeyRecord, patch: VirtualKeyPatch, now: number): VirtualKeyRecord {
  const next: VirtualKeyRecord = { ...record, updatedAt: now };
  if (patch.name !== undefined) next.name = patch.name ?? undefined;
  if (patch.team !== undefined) next.team = patch.team ?? undefined;
  if (patch.models !== undefined) next.models = patch.models;
  if (patch.tools !== undefined) next.tools = { allow: patch.tools.allow, deny: patch.tools.deny };
  if (patch.prompts !== undefined) next.prompts = patch.prompts ? { allow: patch.prompts.allow, deny: patch.prompts.deny } : undefined;
  if (patch.resources !== undefined)
    next.resources = patch.resources ? { allow: patch.resources.allow, deny: patch.resources.deny } : undefined;
  if (patch.budget !== undefined) next.budget = patch.budget ?? undefined;
  if (patch.rateLimit !== undefined) next.rateLimit = patch.rateLimit ?? undefined;
  if (patch.toolLimits !== undefined) next.toolLimits = patch.toolLimits;
  if (patch.approval !== undefined) next.approval = patch.approval;
  if (patch.loop !== undefined) next.loop = patch.loop;
  if (patch.disabled !== undefined) next.disabled = patch.disabled;
  if (patch.expiresAt !== undefined) next.expiresAt = parseExpiry(patch.expiresAt);
  return next;
}

export const teamRecord = (t: TeamInput, source: Source): TeamRecord => ({ id: t.id, customer: t.customer, budget: t.budget, source });
export const customerRecord = (c: CustomerInput, source: Source): CustomerRecord => ({ id: c.id, budget: c.budget, source });

const iso = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : new Date(ms).toISOString());

/** What the admin API shows: never the secret, never its hash. */
export function publicKey(record: VirtualKeyRecord) {
  const { keyHash: _hash, ...rest } = record;
  return { ...rest, expiresAt: iso(record.expiresAt), createdAt: iso(record.createdAt), updatedAt: iso(record.updatedAt) };
}
