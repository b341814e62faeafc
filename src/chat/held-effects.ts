// The effects outside the request of the round that ends a stream (budget settlement, the rate
// limit's tokens, metrics, its llm_calls row: round.ts's finish), held until the client has its
// last byte and run then, or when the stream fails. Issue 20: they were about half of the time
// between the upstream's last event and the client's end(). The request's own cost and usage are
// counted at finish already; the requests row, which reads them, is recorded after `settle`.
// One per streamed request: chat's stream-response, and the Messages and Responses relays.
export class HeldEffects {
  private effects: (() => void) | undefined;

  /** Takes the effects to run at `settle` (what round.ts's finish hands to its FinishLater). */
  hold(effects: () => void): void {
    this.effects = effects;
  }

  /** Runs the held effects, once. */
  settle(): void {
    const run = this.effects;
    this.effects = undefined;
    run?.();
  }
}
