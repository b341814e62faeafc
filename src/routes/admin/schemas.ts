// Admin API request schemas, built from the config schema so the API and the file accept the same
// shapes. PATCH schemas drop the defaults (a missing field means "unchanged", not "reset") and accept
// null to clear an optional field.
import { z } from 'zod';
import { budgetSchema, customerSchema, loopSchema, rateLimitSchema, teamSchema, virtualKeyFields } from '../../config-schema.js';

export const createKeySchema = z.strictObject(virtualKeyFields);

export const patchKeySchema = z.strictObject({
  name: virtualKeyFields.name.unwrap().nullable().optional(),
  team: virtualKeyFields.team.unwrap().nullable().optional(),
  models: virtualKeyFields.models.unwrap().optional(),
  tools: virtualKeyFields.tools.unwrap().optional(),
  prompts: virtualKeyFields.prompts.unwrap().nullable().optional(),
  resources: virtualKeyFields.resources.unwrap().nullable().optional(),
  budget: budgetSchema.nullable().optional(),
  rateLimit: rateLimitSchema.nullable().optional(),
  toolLimits: virtualKeyFields.toolLimits.unwrap().optional(),
  approval: virtualKeyFields.approval.unwrap().optional(),
  loop: loopSchema.optional(),
  disabled: z.boolean().optional(),
  expiresAt: virtualKeyFields.expiresAt,
});

export const createTeamSchema = teamSchema;
export const patchTeamSchema = z.strictObject({
  customer: z.string().min(1).nullable().optional(),
  budget: budgetSchema.nullable().optional(),
});

export const createCustomerSchema = customerSchema;
export const patchCustomerSchema = z.strictObject({ budget: budgetSchema.nullable().optional() });
