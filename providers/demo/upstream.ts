// The demo's stand-in for an upstream server, answered in-process: it receives the request the
// adapter built (OpenAI Chat Completions JSON) and returns what an OpenAI-compatible server would
// send, so the gateway's whole upstream path (status handling, JSON or SSE parsing, usage, retries)
// runs as it does for a real provider. It formats SSE because it plays the upstream here; the
// gateway still parses and re-encodes every frame as usual.
import type { ChatCompletion, ChatCompletionChunk, ChatRequest } from '../../src/openai/types.js';
import type { InProcessResponse, InProcessUpstream, UpstreamRequest } from '../types.js';
import { demoCompletion } from './model.js';

/** No real host: the in-process upstream answers every URL under it. */
export const DEMO_ORIGIN = 'tollgate-demo://in-process';

function json(status: number, body: unknown): InProcessResponse {
  return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

/** The completion as the chunks an OpenAI-compatible server streams: role, content or tool calls, finish, usage. */
function completionChunks(c: ChatCompletion): ChatCompletionChunk[] {
  const base = { id: c.id, object: 'chat.completion.chunk' as const, created: c.created, model: c.model };
  const choice = c.choices[0]!;
  const chunks: ChatCompletionChunk[] = [
    { ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] },
  ];
  if (choice.message.tool_calls) {
    const tool_calls = choice.message.tool_calls.map((call, index) => ({ index, ...call }));
    chunks.push({ ...base, choices: [{ index: 0, delta: { tool_calls }, finish_reason: null }] });
  } else {
    // Word by word, so a streaming client sees a stream.
    for (const piece of (choice.message.content ?? '').split(/(?<= )/)) {
      chunks.push({ ...base, choices: [{ index: 0, delta: { content: piece }, finish_reason: null }] });
    }
  }
  chunks.push({ ...base, choices: [{ index: 0, delta: {}, finish_reason: choice.finish_reason }] });
  chunks.push({ ...base, choices: [], usage: c.usage ?? null });
  return chunks;
}

export function createDemoUpstream(clock: () => number = Date.now): InProcessUpstream {
  let seq = 0;
  return {
    origin: DEMO_ORIGIN,
    answer(req: UpstreamRequest): InProcessResponse {
      if (req.method !== 'POST' || !req.url.endsWith('/chat/completions'))
        return json(404, { error: { message: `the demo provider has no ${req.url}`, type: 'invalid_request_error' } });
      let body: ChatRequest;
      try {
        body = JSON.parse(req.body ?? '') as ChatRequest;
      } catch {
        return json(400, { error: { message: 'the demo provider got invalid JSON', type: 'invalid_request_error' } });
      }
      const completion = demoCompletion(body, body.model, ++seq, Math.floor(clock() / 1000));
      if (!body.stream) return json(200, completion);
      const frames = completionChunks(completion).map((chunk) => `data: ${JSON.stringify(chunk)}\n\n`);
      return { status: 200, headers: { 'content-type': 'text/event-stream' }, body: `${frames.join('')}data: [DONE]\n\n` };
    },
  };
}
