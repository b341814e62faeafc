// What a streamed Responses client sees across the gateway's rounds on a native upstream: one
// response. The first round's response.created and response.in_progress open it, then the
// gateway's own items (mcp_list_tools, approved mcp_call) come first; every upstream item the
// client may see is relayed as it arrives, output_index renumbered so indexes run on across rounds
// and sequence_number renumbered so it rises by one per event; the gateway's function_call items
// (and their deltas) are left out, and its hosted MCP calls appear as mcp_call items between rounds.
// Each round's terminal event is held: the run sends one at the end, over every round. An event
// whose numbers did not change passes as the upstream's own data text, and as the upstream's own
// bytes when its frame came in the form written here (upstream/frame-spans.ts): a pure pass-through
// is the upstream's stream as it came, without a string per frame or the answer encoded again.
import { HeldEffects } from '../chat/held-effects.js';
import { heldFrame, type HeldFrame, passAsItCame, type RelaySpan, type RelayTarget } from '../chat/native-upstream.js';
import { ResponsesEventWriter } from '../wire/responses/stream-writer.js';
import type { OtherItem, OutputItem, StreamEvent } from '../wire/responses/types.js';

const frame = (type: string, data: string) => `event: ${type}\ndata: ${data}\n\n`;
const TERMINAL = new Set(['response.completed', 'response.incomplete', 'response.failed']);

/** Per request: the client's numbering, its output list, and the held terminal event. */
export class ResponsesRelay {
  private seq = 0;
  /** Writes the gateway's own items (numbers stamped by `send`); its output list is the client's. */
  readonly writer: ResponsesEventWriter;
  opened = false;
  /** The last round's terminal event as it came (and its frame's bytes, if any): sent as it is when nothing changed. */
  held: HeldFrame | undefined;
  /** Whether anything the client saw differs from the upstream's own stream. */
  changed = false;
  /** A non-streamed first round's JSON text, returned as it came when nothing changed. */
  firstText: string | undefined;
  /** The last round's effects outside the request, run once the stream has ended (held-effects.ts). */
  readonly afterEnd = new HeldEffects();

  /** `out`: null for a non-streamed request (the relay then only keeps the output list). */
  constructor(
    readonly out: RelayTarget | null,
    private readonly preamble: readonly OutputItem[],
    readonly newId: (prefix: string) => string,
    /** The client's tools, shown in place of the upstream's echo when the gateway added its own. */
    readonly clientTools?: readonly unknown[],
  ) {
    this.writer = new ResponsesEventWriter((e) => this.send(e), newId);
    if (preamble.length) this.changed = true;
  }

  get output(): OtherItem[] {
    return this.writer.output as unknown as OtherItem[];
  }

  round(hidden: (item: OtherItem) => boolean): RoundRelay {
    return new RoundRelay(this, hidden);
  }

  /** Sends a gateway-made event with the next sequence number. */
  send(e: StreamEvent | { type: string; [k: string]: unknown }): void {
    const event = Object.assign({}, e, { sequence_number: this.seq++ });
    this.out?.frame(frame(event.type, JSON.stringify(event)));
  }

  /** Sends an upstream event: as it came when its numbers are the client's, else renumbered. */
  pass(type: string, data: string, event: Record<string, unknown>, span: RelaySpan | undefined, fields?: Record<string, unknown>): void {
    const seq = this.seq++;
    let same = event.sequence_number === seq;
    if (fields) for (const k in fields) if (event[k] !== fields[k]) same = false;
    if (same) {
      this.asItCame(type, data, span);
      return;
    }
    this.changed = true;
    this.out?.frame(frame(type, JSON.stringify(Object.assign({}, event, fields, { sequence_number: seq }))));
  }

  /**
   * pass() for an event with an output_index, which the client sees as `index`: no fields object
   * per event (most of a stream's events carry one).
   */
  passAt(type: string, data: string, event: Record<string, unknown>, span: RelaySpan | undefined, index: number): void {
    const seq = this.seq++;
    if (event.sequence_number === seq && event.output_index === index) {
      this.asItCame(type, data, span);
      return;
    }
    this.changed = true;
    this.out?.frame(frame(type, JSON.stringify(Object.assign({}, event, { output_index: index, sequence_number: seq }))));
  }

  /** An upstream event unchanged (passAsItCame); nothing for a non-streamed request. */
  private asItCame(type: string, data: string, span: RelaySpan | undefined): void {
    if (this.out) passAsItCame(this.out, type, data, span);
  }

  /** The gateway's own first items, once, right after the response opened. */
  openItems(): void {
    if (this.opened) return;
    this.opened = true;
    for (const item of this.preamble) {
      if (item.type === 'mcp_list_tools') this.writer.mcpListTools(item);
      else if (item.type === 'mcp_call') this.writer.mcpCall(item);
      else this.writer.item(item);
    }
  }

  /** A non-streamed round: its visible items join the output (after the gateway's first items). */
  collect(items: readonly OtherItem[], hidden: (item: OtherItem) => boolean): void {
    this.openItems();
    for (const item of items) {
      if (hidden(item)) this.changed = true;
      else this.output.push(item);
    }
  }

  /** Whether the client's stream has ended already (endNow). */
  ended = false;

  /**
   * At the upstream's terminal event, when the run's end would send it as it came (finish) and
   * nothing else (`plain`: no gateway summary, nothing to keep or approve; nothing changed, so no
   * gateway call to run): sends it and ends the client's stream now, not after the upstream's body
   * end and the loop's unwinding (issue 20). The run's end then sends nothing more.
   */
  endNow(plain: boolean): void {
    const held = this.held;
    if (!plain || this.ended || !this.out?.end || !held || this.changed || held.event.sequence_number !== this.seq) return;
    this.finish(() => ({}));
    this.ended = true;
    this.out.end();
  }

  /**
   * The one terminal event: the held one as it came, or one carrying the whole response (built only
   * then: a pure pass-through never needs it).
   */
  finish(responseOf: () => Record<string, unknown>): void {
    if (this.ended) return;
    const held = this.held;
    if (held && !this.changed && held.event.sequence_number === this.seq) {
      this.seq++;
      this.asItCame(held.type, held.data, held);
      return;
    }
    const response = responseOf();
    const type =
      response.status === 'incomplete' ? 'response.incomplete' : response.status === 'failed' ? 'response.failed' : 'response.completed';
    this.send({ type, response });
  }
}

export class RoundRelay {
  /**
   * Upstream output_index → the client's where they differ (hidden items map to -1); made at the
   * first such item: a plain pass-through's indexes are the upstream's and need no map.
   */
  private indexOf: Map<number, number> | undefined;

  constructor(
    private readonly relay: ResponsesRelay,
    private readonly hidden: (item: OtherItem) => boolean,
  ) {}

  /** `span`: the event's frame's bytes, if it came in the form written here (relayStream's). */
  event(type: string, data: string, event: Record<string, unknown>, span?: RelaySpan): void {
    const relay = this.relay;
    const kind = String(event.type);
    if (kind === 'response.created' || kind === 'response.in_progress') {
      if (relay.opened) return;
      const response = event.response as Record<string, unknown> | undefined;
      relay.pass(
        type,
        data,
        event,
        span,
        relay.clientTools && response ? { response: Object.assign({}, response, { tools: relay.clientTools }) } : undefined,
      );
      if (kind === 'response.in_progress') relay.openItems();
      return;
    }
    if (TERMINAL.has(kind)) {
      relay.held = heldFrame(type, data, event, span);
      return;
    }
    relay.openItems();
    if (typeof event.output_index !== 'number') {
      relay.pass(type, data, event, span);
      return;
    }
    const upstream = event.output_index;
    if (kind === 'response.output_item.added') {
      const item = event.item as OtherItem;
      if (this.hidden(item)) {
        (this.indexOf ??= new Map()).set(upstream, -1);
        relay.changed = true;
        return;
      }
      const index = relay.output.push(item) - 1;
      if (index !== upstream) (this.indexOf ??= new Map()).set(upstream, index);
      else this.indexOf?.delete(upstream);
    }
    const mine = this.indexOf?.get(upstream) ?? upstream;
    if (mine < 0) return;
    if (kind === 'response.output_item.done') relay.output[mine] = event.item as OtherItem;
    relay.passAt(type, data, event, span, mine);
  }
}
