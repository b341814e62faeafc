// The requests the bench sends: the same chat body to the mock directly, through the floor proxy,
// and through the gateway (with the plain key, or with the key allowed the MCP echo tool).
import type { Endpoint } from './load.js';
import { MODEL, PROVIDER, TOOL_MARKER } from './constants.js';

const PATH = '/v1/chat/completions';

export function chatBody(opts: { stream?: boolean; content?: string } = {}): string {
  return JSON.stringify({
    model: `${PROVIDER}/${MODEL}`,
    messages: [
      { role: 'system', content: 'You are a concise assistant.' },
      { role: 'user', content: opts.content ?? 'Say hello to the benchmark in one short sentence.' },
    ],
    max_tokens: 64,
    ...(opts.stream ? { stream: true, stream_options: { include_usage: true } } : {}),
  });
}

/** The same request as chatBody, spoken as OpenAI Responses (POST /v1/responses, translated through chat upstream). */
export function responsesBody(opts: { stream?: boolean } = {}): string {
  return JSON.stringify({
    model: `${PROVIDER}/${MODEL}`,
    instructions: 'You are a concise assistant.',
    input: 'Say hello to the benchmark in one short sentence.',
    max_output_tokens: 64,
    store: false,
    ...(opts.stream ? { stream: true } : {}),
  });
}

export const RESPONSES_PATH = '/v1/responses';

export function endpoint(name: string, origin: string, body: string, bearer?: string, path = PATH): Endpoint {
  return {
    name,
    origin,
    path,
    headers: { 'content-type': 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
    body,
  };
}

export const toolLoopBody = (): string => chatBody({ content: `${TOOL_MARKER}: use the echo tool once, then answer.` });
