// What an admin write must pass before it touches the database: the entry exists and came from
// the API (config entries are read-only), and the team or customer it points to exists. Separate
// from registry.ts so the write methods there read as check → write through → update memory.
import { type ErrorCode, GatewayError, invalidRequest, notFound } from '../errors.js';
import type { CustomerRecord, TeamRecord } from './types.js';

export const conflict = (message: string, code: ErrorCode) =>
  new GatewayError({ status: 409, type: 'invalid_request_error', code, message });

/** The entry to change: 404 when missing, 409 when it comes from the config file. */
export function writable<T extends { source: 'config' | 'api' }>(found: T | undefined, what: string, id: string): T {
  if (!found) throw notFound(`${what} ${id} not found`);
  if (found.source === 'config') {
    throw conflict(`${what} ${id} is defined in the config file and is read-only through the API; edit the config instead`, 'read_only');
  }
  return found;
}

export function checkTeamRef(teams: Map<string, TeamRecord>, team: string | undefined): void {
  if (team !== undefined && !teams.has(team)) throw invalidRequest(`team ${team} does not exist`, 'team');
}

export function checkCustomerRef(customers: Map<string, CustomerRecord>, customer: string | undefined): void {
  if (customer !== undefined && !customers.has(customer)) throw invalidRequest(`customer ${customer} does not exist`, 'customer');
}
