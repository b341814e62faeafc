// What one WebSocket connection remembers between its responses. With store:false (Codex's
// default) a client sends only the new items and `previous_response_id` naming the connection's last
// response: the connection keeps that one response's full item list (its input and output) and
// expands such a request to the whole conversation before it reaches the handler, so it works on
// every kind of upstream. An id that is not the connection's last response is left for the handler
// (responses the gateway stored). `generate: false` warms the connection up: the input is kept as a
// response with no output, and no model is called. What a connection keeps is bounded like the POST
// body a continuation stands for (maxBodyBytes): else warm-ups, which cost no model call, could grow
// it by a message each until the process ran out of memory (README, WebSocket mode).
import { randomUUID } from 'node:crypto';
import { GatewayError } from '../errors.js';

export type Item = Record<string, unknown>;

/** The connection's last response: its id and the conversation through it. */
export interface Previous {
  id: string;
  items: Item[];
  /** At least the bytes of `items` as JSON text. */
  bytes: number;
}

/** Whether `body` continues the connection's last response (and is expanded with its items). */
export const continues = (body: Record<string, unknown>, previous: Previous | undefined): previous is Previous =>
  previous !== undefined && body.previous_response_id === previous.id;

/**
 * At least the size of the request `body` stands for once expanded: its message's own bytes, plus
 * the conversation it continues. Over the limit it is refused as a POST body that large would be.
 */
export function expandedBytes(body: Record<string, unknown>, messageBytes: number, previous: Previous | undefined, limit: number): number {
  const bytes = messageBytes + (continues(body, previous) ? previous.bytes : 0);
  if (bytes > limit) {
    throw new GatewayError({
      status: 413,
      type: 'request_too_large',
      code: 'body_too_large',
      param: 'previous_response_id',
      message: `the conversation this message continues exceeds the limit of ${limit} bytes a request body may have; start a new one`,
    });
  }
  return bytes;
}

/** A continuation of the connection's last response becomes the whole conversation. */
export function expand(body: Record<string, unknown>, previous: Previous | undefined): Record<string, unknown> {
  if (!continues(body, previous)) return body;
  const { previous_response_id: _id, ...rest } = body;
  return { ...rest, input: [...previous.items, ...inputItems(body.input)] };
}

export function inputItems(input: unknown): Item[] {
  if (typeof input === 'string') return [{ type: 'message', role: 'user', content: input }];
  return Array.isArray(input) ? (input as Item[]) : [];
}

/** generate:false: a response with no output, so the next request can continue from this input (`bytes`: expandedBytes). */
export function warmUp(send: (value: unknown) => void, body: Record<string, unknown>, bytes: number): Previous {
  const id = `resp_${randomUUID().replaceAll('-', '')}`;
  const response = {
    id,
    object: 'response',
    created_at: Math.floor(Date.now() / 1000),
    status: 'completed',
    model: body.model,
    output: [],
    usage: {
      input_tokens: 0,
      output_tokens: 0,
      total_tokens: 0,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens_details: { reasoning_tokens: 0 },
    },
  };
  send({ type: 'response.created', sequence_number: 0, response: { ...response, status: 'in_progress' } });
  send({ type: 'response.completed', sequence_number: 1, response });
  return { id, items: inputItems(body.input), bytes };
}
