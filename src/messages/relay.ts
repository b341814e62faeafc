// What a streamed Messages client sees across the gateway's rounds: one message. The first round's
// message_start opens it; content blocks are renumbered so indexes run on across rounds; the
// gateway's own tool_use blocks (and their deltas) are left out; a round that continues the loop
// keeps its message_delta and message_stop to itself. Events pass as the upstream's own data text
// whenever nothing in them changes (a pure pass-through is the upstream's events as they came).
import { HeldEffects } from '../chat/held-effects.js';
import { eventFrame } from '../wire/messages/sse.js';
import { heldFrame, type HeldFrame, passAsItCame, type RelaySpan, type RelayTarget } from '../chat/native-upstream.js';
import type { AnthropicUsage } from '../wire/messages/usage.js';

/** The keys of MessagesRelay.totals, in its order (a list per round from Object.keys was garbage per stream). */
const TOTAL_KEYS = ['input_tokens', 'output_tokens', 'cache_creation_input_tokens', 'cache_read_input_tokens'] as const;

/** Per request: state that spans rounds. */
export class MessagesRelay {
  started = false;
  closed = false;
  private nextIndex = 0;
  readonly totals: Record<(typeof TOTAL_KEYS)[number], number> = {
    input_tokens: 0,
    output_tokens: 0,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
  };
  rounds = 0;
  /** The last round's effects outside the request, run once the stream has ended (held-effects.ts). */
  readonly afterEnd = new HeldEffects();

  constructor(readonly out: RelayTarget) {}

  /** A relay for one round; `hidden(name)` says whether a tool_use block is the gateway's. */
  round(hidden: (name: string) => boolean): RoundRelay {
    this.rounds++;
    return new RoundRelay(this, hidden);
  }

  addUsage(u: AnthropicUsage): void {
    // Indexed, not for-of: run once per round, this stays in the interpreter or baseline code for
    // thousands of requests, where each for-of step allocates an iterator result (issue 20).
    for (let i = 0; i < TOTAL_KEYS.length; i++) {
      const key = TOTAL_KEYS[i]!;
      this.totals[key] += u[key] ?? 0;
    }
  }

  /** Takes the next client-side block index. */
  takeIndex(): number {
    return this.nextIndex++;
  }
}

export class RoundRelay {
  /** Made when a block is first hidden: a round without gateway tool calls has none. */
  private hiddenBlocks: Set<number> | undefined;
  /**
   * Upstream block index → the client's, where they differ; made at the first such block: a plain
   * pass-through's indexes are the upstream's and need no map (a Map per streamed round, issue 20).
   */
  private indexOf: Map<number, number> | undefined;
  private held: HeldFrame[] = [];

  constructor(
    private readonly relay: MessagesRelay,
    private readonly hidden: (name: string) => boolean,
  ) {}

  /**
   * One upstream event, parsed. `raw`, when given, says where its frame lies in the upstream's bytes:
   * a frame that goes out unchanged goes as those bytes when it can (as rawFrame would write them).
   */
  event(type: string, data: string, event: Record<string, unknown>, raw?: RelaySpan): void {
    const out = this.relay.out;
    switch (event.type) {
      case 'message_start':
        if (this.relay.started) return;
        this.relay.started = true;
        this.pass(type, data, raw);
        return;
      case 'content_block_start': {
        const index = event.index as number;
        const block = event.content_block as { type?: string; name?: string } | undefined;
        if (block?.type === 'tool_use' && this.hidden(String(block.name))) {
          (this.hiddenBlocks ??= new Set()).add(index);
          return;
        }
        const mine = this.relay.takeIndex();
        if (mine !== index) (this.indexOf ??= new Map()).set(index, mine);
        else this.indexOf?.delete(index);
        if (mine === index) this.pass(type, data, raw);
        else out.frame(eventFrame(Object.assign({}, event, { type: 'content_block_start', index: mine })));
        return;
      }
      case 'content_block_delta':
      case 'content_block_stop': {
        const index = event.index as number;
        if (this.hiddenBlocks?.has(index)) return;
        const mine = this.indexOf?.get(index);
        if (mine === undefined || mine === index) this.pass(type, data, raw);
        else out.frame(eventFrame(Object.assign({}, event, { type: String(event.type), index: mine })));
        return;
      }
      case 'message_delta':
      case 'message_stop':
        this.held.push(heldFrame(type, data, event, raw));
        return;
      default:
        // ping, error, and event types added later pass as they came.
        this.pass(type, data, raw);
    }
  }

  /** A frame unchanged: the upstream's bytes when they are what rawFrame would write, else rawFrame. */
  private pass(type: string, data: string, raw: RelaySpan | undefined): void {
    passAsItCame(this.relay.out, type, data, raw);
  }

  /**
   * The round is over. When it ends the message (no gateway calls), its held message_delta and
   * message_stop go out, the delta's usage replaced by the totals of every round when there were several.
   */
  end(endsMessage: boolean): void {
    const held = this.held;
    this.held = [];
    if (!endsMessage) return;
    for (const h of held) {
      if (h.event.type === 'message_delta' && this.relay.rounds > 1)
        this.relay.out.frame(
          eventFrame(
            Object.assign({}, h.event, { type: 'message_delta', usage: Object.assign({}, h.event.usage as object, this.relay.totals) }),
          ),
        );
      else passAsItCame(this.relay.out, h.type, h.data, h);
      if (h.event.type === 'message_stop') this.relay.closed = true;
    }
  }
}
