// Renders scripted replies in the OpenAI Chat Completions wire format (JSON and SSE), the way
// api.openai.com sends them: role chunk first, content/tool-call deltas, finish chunk, usage chunk
// when stream_options.include_usage is set, then `data: [DONE]`.
import type { MockReply, MockUsage, Rendered } from './types.js';

let counter = 0;

function usageOf(u: MockUsage | undefined) {
  const input = u?.input ?? 10;
  const output = u?.output ?? 5;
  const cached = u?.cacheRead ?? 0;
  const audioIn = u?.audioInput;
  return {
    prompt_tokens: input + cached,
    completion_tokens: output,
    total_tokens: input + cached + output,
    ...(cached || audioIn !== undefined
      ? { prompt_tokens_details: { cached_tokens: cached, ...(audioIn !== undefined ? { audio_tokens: audioIn } : {}) } }
      : {}),
    ...(u?.audioOutput !== undefined ? { completion_tokens_details: { reasoning_tokens: 0, audio_tokens: u.audioOutput } } : {}),
  };
}

function pieces(text: string, parts = 3): string[] {
  if (text.length <= parts) return text ? [text] : [];
  const size = Math.ceil(text.length / parts);
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

export function renderOpenAI(
  reply: MockReply,
  request: { model: string; stream_options?: { include_usage?: boolean } },
  stream: boolean,
): Rendered {
  const id = `chatcmpl-mock${++counter}`;
  const created = 1_700_000_000;
  const model = request.model;
  if (reply.kind !== 'text' && reply.kind !== 'tool_calls' && reply.kind !== 'stream-error')
    throw new Error(`renderOpenAI cannot render ${reply.kind}`);
  const text = reply.kind === 'tool_calls' ? (reply.text ?? null) : reply.text;
  const calls =
    reply.kind === 'tool_calls'
      ? reply.calls.map((c, i) => ({
          id: c.id ?? `call_mock_${counter}_${i}`,
          type: 'function' as const,
          function: { name: c.name, arguments: typeof c.arguments === 'string' ? c.arguments : JSON.stringify(c.arguments) },
        }))
      : [];
  const finish = reply.kind === 'tool_calls' ? 'tool_calls' : reply.kind === 'text' ? (reply.finish ?? 'stop') : 'stop';
  const usage = usageOf(reply.kind === 'stream-error' ? undefined : reply.usage);
  const omitUsage = reply.kind === 'text' && reply.omitUsage === true;
  const audioId = reply.kind === 'text' ? reply.audio : undefined;
  const audio = audioId ? { id: audioId, expires_at: created + 3600, data: 'UklGRg==', transcript: text } : undefined;
  if (!stream) {
    return {
      json: {
        id,
        object: 'chat.completion',
        created,
        model,
        system_fingerprint: 'fp_mock',
        choices: [
          {
            index: 0,
            message: {
              role: 'assistant',
              content: audio ? null : text,
              refusal: null,
              ...(calls.length ? { tool_calls: calls } : {}),
              ...(audio ? { audio } : {}),
            },
            logprobs: null,
            finish_reason: finish,
          },
        ],
        ...(omitUsage ? {} : { usage }),
      },
    };
  }
  const frame = (choices: unknown[], extra: Record<string, unknown> = {}) =>
    `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, system_fingerprint: 'fp_mock', choices, ...extra })}\n\n`;
  const frames = audio
    ? audioFrames(frame, audio)
    : [frame([{ index: 0, delta: { role: 'assistant', content: '', refusal: null }, logprobs: null, finish_reason: null }])];
  if (!audio)
    for (const p of pieces(text ?? '')) frames.push(frame([{ index: 0, delta: { content: p }, logprobs: null, finish_reason: null }]));
  if (reply.kind === 'stream-error') {
    frames.push(`data: ${JSON.stringify({ error: { message: reply.message, type: reply.errorType, code: null, param: null } })}\n\n`);
    return { frames };
  }
  calls.forEach((call, index) => {
    frames.push(
      frame([
        {
          index: 0,
          delta: { tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.function.name, arguments: '' } }] },
          logprobs: null,
          finish_reason: null,
        },
      ]),
    );
    for (const p of pieces(call.function.arguments))
      frames.push(
        frame([{ index: 0, delta: { tool_calls: [{ index, function: { arguments: p } }] }, logprobs: null, finish_reason: null }]),
      );
  });
  frames.push(frame([{ index: 0, delta: {}, logprobs: null, finish_reason: finish }]));
  if (request.stream_options?.include_usage && !omitUsage) frames.push(frame([], { usage }));
  frames.push('data: [DONE]\n\n');
  return { frames };
}

/**
 * A spoken answer streamed (`modalities: ["text","audio"]`): no content deltas; `delta.audio` pieces
 * instead, each with any of id, transcript, data (base64, in pieces of whole quads), the id in the
 * first (with the role), and a last one carrying only `expires_at`, before the finish chunk (the
 * shape the SDKs accumulate: openai-node's ChatCompletionStream; openai-openapi issue #577).
 * Exported for the tests that check the gateway relays these pieces as they came.
 */
export function audioFrames(
  frame: (choices: unknown[]) => string,
  audio: { id: string; expires_at: number; data: string; transcript: string | null },
): string[] {
  const piece = (delta: Record<string, unknown>) => frame([{ index: 0, delta, logprobs: null, finish_reason: null }]);
  return audioDeltas(audio).map((audio, i) => piece(i === 0 ? { role: 'assistant', content: null, refusal: null, audio } : { audio }));
}

/** The `delta.audio` objects of a streamed spoken answer, in order (audioFrames). */
export function audioDeltas(audio: { id: string; expires_at: number; data: string; transcript: string | null }): Record<string, unknown>[] {
  const [first = '', ...rest] = pieces(audio.transcript ?? '');
  const data = audio.data.match(/.{1,4}/g) ?? [];
  return [
    { id: audio.id, transcript: first },
    ...rest.map((transcript) => ({ transcript })),
    ...data.map((d) => ({ data: d })),
    { expires_at: audio.expires_at },
  ];
}

export function openaiErrorBody(status: number, message: string): string {
  const type =
    status === 429 ? 'rate_limit_exceeded' : status >= 500 ? 'server_error' : status === 401 ? 'invalid_api_key' : 'invalid_request_error';
  return JSON.stringify({ error: { message, type, param: null, code: type } });
}
