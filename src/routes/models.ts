// GET /v1/models: the configured models this key may use, as `provider/model`.
import type { Hono } from 'hono';
import type { Gate } from '../chat/ports.js';
import type { TargetResolver } from '../chat/targets.js';
import type { ModelList } from '../openai/types.js';
import type { AppEnv } from '../app-env.js';

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
    const body: ModelList = {
      object: 'list',
      data: allowed.map((t) => ({ id: t.id, object: 'model', created: 0, owned_by: t.providerName })),
    };
    return c.json(body);
  });
}
