// Access for requests without a key when `requireVirtualKey` is false (local use): every model and
// tool, no budgets, no limits — but still the loop caps from config.
import type { LoopLimits } from '../config-schema.js';
import type { Access, Reservation } from './ports.js';

const NO_RESERVATION: Reservation = { amountUsd: 0 };
const ALLOWED = { allowed: true } as const;

export function createOpenAccess(loop: LoopLimits): Access {
  return {
    keyId: null,
    teamId: null,
    customerId: null,
    loop,
    policyKey: {},
    checkModel: () => undefined,
    decideTool: () => ALLOWED,
    checkToolRate: async () => ALLOWED,
    reserve: async () => NO_RESERVATION,
    settle: () => undefined,
    release: () => undefined,
    recordTokens: () => undefined,
  };
}
