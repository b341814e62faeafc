// The state of one Messages request whose model speaks Messages natively: the loop's state plus the
// conversation in Anthropic's own blocks (so nothing is lost between rounds) and what pass-through
// needs (the client's bytes, path and forwarded headers).
import type { LoopState } from '../chat/run-state.js';
import type { Cancel } from '../upstream/cancel.js';
import type { ServerTool } from '../wire/messages/server-tools.js';
import type { MessageParam, MessagesRequest, Tool } from '../wire/messages/types.js';

export interface MessagesRunState extends LoopState {
  /** `signal` without the AbortSignal, for the upstream calls (upstream/cancel.ts). */
  readonly cancel: Cancel;
  readonly body: MessagesRequest;
  /** The client's body as it came (sent with only `model` rewritten when nothing else changes). */
  readonly bodyText: string;
  readonly path: string;
  /** anthropic-version / anthropic-beta as the client sent them. */
  readonly forwardHeaders: Record<string, string>;
  /** Client tools plus the gateway's, in Anthropic's form; undefined when the gateway adds none. */
  readonly offeredTools: Tool[] | undefined;
  /** The conversation so far (the client's messages, hidden turns stitched back, then the gateway's rounds). */
  conv: MessageParam[];
  /** The body must be rebuilt from conv and offeredTools (gateway tools, stitching, later rounds). */
  rebuilt: boolean;
  /** The client's server tools (web search…), their max_uses as sent upstream; undefined: none (wire/messages/server-tools.ts). */
  readonly serverTools: ServerTool[] | undefined;
  /** Containers its answer reported, and their writes (governance/owned-containers.ts); undefined: none. */
  containerIds?: string[] | undefined;
  containerWrites?: Promise<void>[] | undefined;
}
