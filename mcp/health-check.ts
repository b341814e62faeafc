// Whether a server something failed on is still there: the cheapest request it answers. ServerLink
// .suspect runs it and treats a failure as the connection lost, which restarts a stdio server and
// fails every call in flight to it, every key's.
//
// A server that handles one request at a time (stdio servers often do) answers the check only
// after the calls in front of it: a short timeout would take one key's slow call for a dead server
// and cut every other key off. So a check of a server with calls in flight waits up to the server's
// callTimeoutMs (as long as a call to it may legitimately run), and one that times out while the
// server answered other requests meanwhile is sent again: only a server that said nothing for a
// whole check is taken for gone. A JSON-RPC error in answer counts as an answer; any other error
// (a closed connection, an HTTP error) is not softened.
import { ProtocolError, SdkError, SdkErrorCode, type Client } from '@modelcontextprotocol/client';
import type { ProtocolEra } from './connect.js';

export class HealthCheck {
  private probing = false;
  /** Answers the server gave to calls (upstream-call.ts, asCall): proof it is there. */
  private answers = 0;

  constructor(
    private readonly requestTimeoutMs: number,
    private readonly callTimeoutMs: number,
  ) {}

  /** The server answered a call. */
  heard(): void {
    this.answers++;
  }

  /**
   * Checks the server behind `client`, unless a check is already under way: `alive` once it
   * answers, `gone` with the error when it does not. `busy`: whether calls to it may be running.
   */
  run(client: Client, era: ProtocolEra | undefined, busy: () => boolean, alive: () => void, gone: (err: unknown) => void): void {
    if (this.probing) return;
    this.probing = true;
    this.check(client, era, busy)
      .then(alive)
      .catch(gone)
      .finally(() => (this.probing = false));
  }

  private async check(client: Client, era: ProtocolEra | undefined, busy: () => boolean): Promise<void> {
    const idle = Math.min(this.requestTimeoutMs, 5_000);
    for (;;) {
      const answers = this.answers;
      const timeout = busy() ? Math.max(idle, this.callTimeoutMs) : idle;
      try {
        // 2026-07-28 has no ping; server/discover is the cheapest request it answers.
        await (era === 'modern' ? client.discover({ timeout }) : client.ping({ timeout }));
        return;
      } catch (err) {
        // An error answer is an answer: a server without ping (-32601) is there all the same.
        if (err instanceof ProtocolError) return;
        const timedOut = err instanceof SdkError && err.code === SdkErrorCode.RequestTimeout;
        if (!timedOut || this.answers === answers) throw err;
      }
    }
  }
}
