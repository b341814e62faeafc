// /teams and /customers: the budget hierarchy above keys.
import { Hono } from 'hono';
import { notFound } from '../../errors.js';
import type { GovernanceRegistry } from '../../governance/registry.js';
import { createCustomerSchema, createTeamSchema, patchCustomerSchema, patchTeamSchema } from './schemas.js';
import { readBody } from './validate.js';

export function teamRoutes(registry: GovernanceRegistry): Hono {
  const app = new Hono();
  const find = (id: string) => {
    const team = registry.getTeam(id);
    if (!team) throw notFound(`team ${id} not found`);
    return team;
  };
  app.post('/', async (c) => c.json(await registry.createTeam(await readBody(c, createTeamSchema)), 201));
  app.get('/', (c) => c.json({ object: 'list', data: registry.listTeams() }));
  app.get('/:id', (c) => c.json(find(c.req.param('id'))));
  app.patch('/:id', async (c) => {
    const id = find(c.req.param('id')).id;
    return c.json(await registry.updateTeam(id, await readBody(c, patchTeamSchema)));
  });
  app.delete('/:id', async (c) => {
    const id = find(c.req.param('id')).id;
    await registry.deleteTeam(id);
    return c.json({ id, deleted: true });
  });
  return app;
}

export function customerRoutes(registry: GovernanceRegistry): Hono {
  const app = new Hono();
  const find = (id: string) => {
    const customer = registry.getCustomer(id);
    if (!customer) throw notFound(`customer ${id} not found`);
    return customer;
  };
  app.post('/', async (c) => c.json(await registry.createCustomer(await readBody(c, createCustomerSchema)), 201));
  app.get('/', (c) => c.json({ object: 'list', data: registry.listCustomers() }));
  app.get('/:id', (c) => c.json(find(c.req.param('id'))));
  app.patch('/:id', async (c) => {
    const id = find(c.req.param('id')).id;
    return c.json(await registry.updateCustomer(id, await readBody(c, patchCustomerSchema)));
  });
  app.delete('/:id', async (c) => {
    const id = find(c.req.param('id')).id;
    await registry.deleteCustomer(id);
    return c.json({ id, deleted: true });
  });
  return app;
}
