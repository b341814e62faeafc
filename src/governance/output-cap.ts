// One effective output cap per upstream call: the number of output tokens (reasoning included) the
// gateway reserves is exactly the number the upstream is told it may generate. Pure.
//
// OpenAI: max_completion_tokens bounds visible output plus reasoning tokens; max_tokens is its
// deprecated alias (https://platform.openai.com/docs/api-reference/chat/create). Anthropic:
// max_tokens bounds all output, extended-thinking tokens included
// (https://docs.anthropic.com/en/docs/build-with-claude/extended-thinking#max-tokens-and-context-window-size).
import { invalidRequest } from '../errors.js';

export interface CapFields {
  max_tokens?: number | null | undefined;
  max_completion_tokens?: number | null | undefined;
}

export type CapField = keyof CapFields;

/**
 * The cap the client asked for. Both fields are accepted when they agree; when they disagree the
 * request is refused (400, naming max_tokens) rather than guessing which one an upstream obeys:
 * OpenAI-compatible servers differ, and Anthropic knows only one.
 */
export function clientOutputCap(req: CapFields): number | undefined {
  const a = req.max_tokens ?? undefined;
  const b = req.max_completion_tokens ?? undefined;
  if (a !== undefined && b !== undefined && a !== b) {
    throw invalidRequest(
      `max_tokens (${a}) and max_completion_tokens (${b}) disagree; send one of them (max_completion_tokens is the current name)`,
      'max_tokens',
      'conflicting_max_tokens',
    );
  }
  return a ?? b;
}

export interface OutputCapInput {
  /** clientOutputCap() of the request. */
  clientCap: number | undefined;
  /** Whether the key, its team or its customer has a budget. */
  budgeted: boolean;
  /** The model's maximum output from the price table, when known. */
  modelMaxOutput: number | undefined;
  /** The provider's defaultMaxTokens. */
  defaultMaxTokens: number;
}

export interface OutputCap {
  /** Output tokens reserved for this call. */
  reserve: number;
  /** A cap the gateway adds to the upstream request (the client sent none and a budget applies). */
  send: number | undefined;
}

export function decideOutputCap(input: OutputCapInput): OutputCap {
  if (input.clientCap !== undefined) return { reserve: input.clientCap, send: undefined };
  const cap = input.modelMaxOutput ?? input.defaultMaxTokens;
  // Without a budget nothing is held back: the gateway leaves the request alone (Anthropic still
  // gets defaultMaxTokens, which its API requires); the reservation only feeds the usage report.
  return input.budgeted ? { reserve: cap, send: cap } : { reserve: cap, send: undefined };
}

/**
 * A server that knows only `max_tokens` (provider `maxTokensField: "max_tokens"`) never reads
 * `max_completion_tokens`: a cap the request carries there (the client's own, or a Responses
 * `max_output_tokens` translated to chat) would be reserved and not obeyed, so it must move.
 */
export const capMisplaced = (req: CapFields, field: CapField): boolean => field === 'max_tokens' && req.max_completion_tokens != null;

/**
 * The request with the gateway's cap in `field`, when it adds one, and a cap the client sent in the
 * field the provider does not read moved to the one it does (capMisplaced); the request itself otherwise.
 */
export function withOutputCap<T extends CapFields>(req: T, cap: number | undefined, field: CapField): T {
  if (capMisplaced(req, field)) {
    // clientOutputCap() refused the request if max_tokens disagreed, so the value is the client's cap.
    const moved = Object.assign({}, req, { max_tokens: req.max_completion_tokens });
    delete moved.max_completion_tokens;
    return moved;
  }
  if (cap === undefined) return req;
  // Not `{ ...req, [field]: cap }`: on Node 20 that literal gets a map of its own (tests/hot-path-literals.test.ts).
  return Object.assign({}, req, { [field]: cap });
}
