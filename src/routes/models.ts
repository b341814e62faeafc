// GET /v1/models: the configured models this key may use, as `provider/model`, answering OpenAI and
// Anthropic clients alike (Claude Code's gateway model discovery reads id and display_name).
import type { Hono } from 'hono';
import type { Gate } from '../chat/ports.js';
import type { TargetResolver } from '../chat/targets.js';
import type { ModelList } from '../openai/types.js';
import type { AppEnv } from '../app-env.js';

const EPOCH = '1970-01-01T00:00:00Z';

export function modelRoutes(app: Hono<AppEnv>, deps: { gate: Gate; targets: TargetResolver }): void {
  // Built once: the configured list never changes while the process runs.
  const all = deps.targets.providers().flatMap((p) => p.config.models.map((model) => deps.targets.resolve(`${p.name}/${model}`)));
  app.get('/v1/models', async (c) => {
    const access = await deps.gate.admit(c.req.raw.headers);
    const allowed = all.filter((target) => {
      try {
        access.checkModel(target);
        return true;
      } catch {
        return false;
      }
    });
    // One body for both APIs: OpenAI's (object, data[].object/created/owned_by) and Anthropic's
    // (data[].type/display_name/created_at, has_more, first_id, last_id). Each SDK ignores the other's.
    const body: ModelList = {
      object: 'list',
      data: allowed.map((t) => ({
        id: t.id,
        object: 'model',
        created: 0,
        owned_by: t.providerName,
        type: 'model',
        display_name: t.id,
        created_at: EPOCH,
      })),
      has_more: false,
      first_id: allowed[0]?.id ?? null,
      last_id: allowed.at(-1)?.id ?? null,
    };
    return c.json(body);
  });
}
