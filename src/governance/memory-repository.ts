// A GovernanceRepository kept in memory: for tests, and for running without a database
// (API-created entries then last until restart). Copies on the way in and out so callers cannot
// mutate stored records by accident, as with a real database.
import type { CustomerRecord, GovernanceRepository, TeamRecord, VirtualKeyRecord } from './types.js';

export function createMemoryGovernanceRepository(): GovernanceRepository {
  const keys = new Map<string, VirtualKeyRecord>();
  const teams = new Map<string, TeamRecord>();
  const customers = new Map<string, CustomerRecord>();
  const copy = <T>(v: T): T => structuredClone(v);
  return {
    listKeys: async () => [...keys.values()].map(copy),
    upsertKey: async (k) => void keys.set(k.id, copy(k)),
    deleteKey: async (id) => keys.delete(id),
    listTeams: async () => [...teams.values()].map(copy),
    upsertTeam: async (t) => void teams.set(t.id, copy(t)),
    deleteTeam: async (id) => teams.delete(id),
    listCustomers: async () => [...customers.values()].map(copy),
    upsertCustomer: async (c) => void customers.set(c.id, copy(c)),
    deleteCustomer: async (id) => customers.delete(id),
  };
}
