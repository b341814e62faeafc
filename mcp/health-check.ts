// Whether a server something failed on is still there: the cheapest request it answers, with a
// short timeout. ServerLink.suspect runs it and treats a failure as the connection lost.
import type { Client } from '@modelcontextprotocol/client';
import type { ProtocolEra } from './connect.js';

export class HealthCheck {
  private probing = false;

  constructor(private readonly requestTimeoutMs: number) {}

  /**
   * Checks the server behind `client`, unless a check is already under way: `alive` once it
   * answers, `gone` with the error when it does not.
   */
  run(client: Client, era: ProtocolEra | undefined, alive: () => void, gone: (err: unknown) => void): void {
    if (this.probing) return;
    this.probing = true;
    const timeout = Math.min(this.requestTimeoutMs, 5_000);
    // 2026-07-28 has no ping; server/discover is the cheapest request it answers.
    const check = era === 'modern' ? client.discover({ timeout }) : client.ping({ timeout });
    check
      .then(alive)
      .catch(gone)
      .finally(() => (this.probing = false));
  }
}
