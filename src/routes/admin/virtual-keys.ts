// /virtual-keys: the secret is returned by POST only; every other response omits it and its hash.
import { Hono } from 'hono';
import { notFound } from '../../errors.js';
import { publicKey } from '../../governance/records.js';
import type { GovernanceRegistry } from '../../governance/registry.js';
import { createKeySchema, patchKeySchema } from './schemas.js';
import { readBody } from './validate.js';

export function virtualKeyRoutes(registry: GovernanceRegistry): Hono {
  const app = new Hono();
  const find = (id: string) => {
    const key = registry.getKey(id);
    if (!key) throw notFound(`virtual key ${id} not found`);
    return key;
  };

  app.post('/', async (c) => {
    const input = await readBody(c, createKeySchema);
    const { record, secret } = await registry.createKey(input);
    return c.json({ ...publicKey(record), key: secret }, 201);
  });
  app.get('/', (c) => c.json({ object: 'list', data: registry.listKeys().map(publicKey) }));
  app.get('/:id', (c) => c.json(publicKey(find(c.req.param('id')))));
  app.patch('/:id', async (c) => {
    const id = c.req.param('id');
    find(id); // 404 before 400: a typo in the id is the likelier mistake
    const patch = await readBody(c, patchKeySchema);
    return c.json(publicKey(await registry.updateKey(id, patch)));
  });
  app.delete('/:id', async (c) => {
    const id = c.req.param('id');
    find(id);
    await registry.deleteKey(id);
    return c.json({ id, deleted: true });
  });
  return app;
}
