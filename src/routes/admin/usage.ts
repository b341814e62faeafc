// /usage: spend, reservations and limits per level, for the current period of each budget.
//   GET /usage?key=ID       the key and the team and customer it is charged to
//   GET /usage?team=ID      the team and its customer
//   GET /usage?customer=ID  the customer
//   GET /usage              every key, team and customer once
import { Hono } from 'hono';
import { invalidRequest, notFound } from '../../errors.js';
import type { BudgetGuard, BudgetLevel } from '../../governance/budgets.js';
import type { GovernanceRegistry } from '../../governance/registry.js';

export function usageRoutes(deps: { registry: GovernanceRegistry; budgets: BudgetGuard; now: () => number }): Hono {
  const { registry, budgets } = deps;
  const app = new Hono();

  const teamLevels = (id: string): BudgetLevel[] => {
    const team = registry.getTeam(id);
    if (!team) throw notFound(`team ${id} not found`);
    const levels: BudgetLevel[] = [{ level: 'team', id, budget: team.budget }];
    const customer = team.customer === undefined ? undefined : registry.getCustomer(team.customer);
    if (customer) levels.push({ level: 'customer', id: customer.id, budget: customer.budget });
    return levels;
  };

  app.get('/', async (c) => {
    const { key, team, customer } = c.req.query();
    if ([key, team, customer].filter((v) => v !== undefined).length > 1) {
      throw invalidRequest('give at most one of key, team or customer', 'key');
    }
    let levels: BudgetLevel[];
    if (key !== undefined) {
      const ctx = registry.contextForKey(key);
      if (!ctx) throw notFound(`virtual key ${key} not found`);
      return c.json({ object: 'list', asOf: new Date(deps.now()).toISOString(), data: await budgets.usage(ctx) });
    } else if (team !== undefined) {
      levels = teamLevels(team);
    } else if (customer !== undefined) {
      const found = registry.getCustomer(customer);
      if (!found) throw notFound(`customer ${customer} not found`);
      levels = [{ level: 'customer', id: customer, budget: found.budget }];
    } else {
      levels = [
        ...registry.listKeys().map((k): BudgetLevel => ({ level: 'key', id: k.id, budget: k.budget })),
        ...registry.listTeams().map((t): BudgetLevel => ({ level: 'team', id: t.id, budget: t.budget })),
        ...registry.listCustomers().map((cu): BudgetLevel => ({ level: 'customer', id: cu.id, budget: cu.budget })),
      ];
    }
    return c.json({ object: 'list', asOf: new Date(deps.now()).toISOString(), data: await budgets.usage(levels) });
  });
  return app;
}
