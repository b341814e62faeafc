// Renders scripted replies in the OpenAI Responses wire format (POST /v1/responses), the way
// api.openai.com sends them: a Response object, or an SSE stream of named events (`event:` and
// `data:` lines) with sequence numbers — response.created, response.in_progress, per output item
// output_item.added … output_item.done, then response.completed. No [DONE] terminator.
// Written independently of src/wire/responses so the gateway is tested against the wire, not itself.
import type { MockReply, MockUsage, Rendered } from './types.js';
import { codeInterpreterItem, containerOf, searchesOf, webSearchItems } from './hosted-tools.js';

let counter = 0;

function usageOf(u: MockUsage | undefined) {
  const input = (u?.input ?? 10) + (u?.cacheRead ?? 0);
  const output = u?.output ?? 5;
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: u?.cacheRead ?? 0 },
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: input + output,
  };
}

function pieces(text: string): string[] {
  if (text.length <= 3) return text ? [text] : [];
  const size = Math.ceil(text.length / 3);
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

export function renderResponses(reply: MockReply, request: any, stream: boolean): Rendered {
  const n = ++counter;
  if (reply.kind !== 'text' && reply.kind !== 'tool_calls' && reply.kind !== 'stream-error')
    throw new Error(`renderResponses cannot render ${reply.kind}`);
  const text = reply.kind === 'tool_calls' ? (reply.text ?? '') : reply.text;
  const output: any[] = [];
  const reasoning = reply.kind === 'stream-error' ? undefined : reply.reasoning;
  if (reasoning)
    output.push({
      id: `rs_mock${n}`,
      type: 'reasoning',
      summary: reasoning.summary ? [{ type: 'summary_text', text: reasoning.summary }] : [],
      ...(reasoning.encrypted ? { encrypted_content: reasoning.encrypted } : {}),
    });
  output.push(...webSearchItems(n, searchesOf(reply)));
  const container = containerOf(reply);
  if (container) output.push(codeInterpreterItem(n, container));
  if (reply.kind === 'text' && reply.imageGeneration)
    output.push({ id: `ig_mock${n}`, type: 'image_generation_call', status: 'completed', result: 'iVBORw0KGgo=' });
  if (reply.kind === 'text' && reply.approvalRequest)
    output.push({ id: `mcpr_mock${n}`, type: 'mcp_approval_request', ...reply.approvalRequest });
  if (text)
    output.push({
      id: `msg_mock${n}`,
      type: 'message',
      status: 'completed',
      content: [{ type: 'output_text', annotations: [], logprobs: [], text }],
      role: 'assistant',
    });
  if (reply.kind === 'tool_calls')
    reply.calls.forEach((c, i) => {
      const args = typeof c.arguments === 'string' ? c.arguments : JSON.stringify(c.arguments);
      if (c.custom) {
        output.push({
          id: `ctc_mock${n}_${i}`,
          type: 'custom_tool_call',
          status: 'completed',
          call_id: c.id ?? `call_mock_${n}_${i}`,
          name: c.name,
          input: args,
        });
        return;
      }
      output.push({
        id: `fc_mock${n}_${i}`,
        type: 'function_call',
        status: 'completed',
        arguments: typeof c.arguments === 'string' ? c.arguments : JSON.stringify(c.arguments),
        call_id: c.id ?? `call_mock_${n}_${i}`,
        name: c.name,
      });
    });
  const incomplete = reply.kind === 'text' && reply.finish === 'length';
  const base = {
    // As vLLM does: its `request_id` extra parameter, when a client sends one, is the response's id.
    id: typeof request?.request_id === 'string' ? request.request_id : `resp_mock${n}`,
    object: 'response',
    created_at: 1_700_000_000,
    error: null,
    incomplete_details: incomplete ? { reason: 'max_output_tokens' } : null,
    instructions: request?.instructions ?? null,
    max_output_tokens: request?.max_output_tokens ?? null,
    model: request?.model,
    parallel_tool_calls: true,
    previous_response_id: request?.previous_response_id ?? null,
    reasoning: { effort: null, summary: null },
    store: request?.store ?? true,
    temperature: 1,
    text: { format: { type: 'text' } },
    tool_choice: request?.tool_choice ?? 'auto',
    tools: request?.tools ?? [],
    top_p: 1,
    truncation: 'disabled',
    user: null,
    metadata: {},
  };
  const usage = reply.kind === 'stream-error' ? null : usageOf(reply.usage);
  const done = { ...base, status: incomplete ? 'incomplete' : 'completed', output, usage };
  if (!stream) return { json: done };

  let seq = 0;
  const frames: string[] = [];
  const ev = (type: string, fields: Record<string, unknown>) =>
    frames.push(`event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: seq++, ...fields })}\n\n`);
  const started = { ...base, status: 'in_progress', output: [], usage: null };
  ev('response.created', { response: started });
  ev('response.in_progress', { response: started });
  output.forEach((item, index) => {
    if (item.type === 'message') {
      ev('response.output_item.added', { output_index: index, item: { ...item, status: 'in_progress', content: [] } });
      const part = { type: 'output_text', annotations: [], logprobs: [], text: '' };
      ev('response.content_part.added', { item_id: item.id, output_index: index, content_index: 0, part });
      for (const p of pieces(text))
        ev('response.output_text.delta', { item_id: item.id, output_index: index, content_index: 0, delta: p, logprobs: [] });
      if (reply.kind === 'stream-error') {
        ev('error', { code: reply.errorType, message: reply.message, param: null });
        return;
      }
      ev('response.output_text.done', { item_id: item.id, output_index: index, content_index: 0, text, logprobs: [] });
      ev('response.content_part.done', { item_id: item.id, output_index: index, content_index: 0, part: { ...part, text } });
    } else if (item.type !== 'function_call') {
      ev('response.output_item.added', { output_index: index, item });
    } else {
      ev('response.output_item.added', { output_index: index, item: { ...item, status: 'in_progress', arguments: '' } });
      for (const p of pieces(item.arguments))
        ev('response.function_call_arguments.delta', { item_id: item.id, output_index: index, delta: p });
      ev('response.function_call_arguments.done', { item_id: item.id, output_index: index, arguments: item.arguments });
    }
    ev('response.output_item.done', { output_index: index, item });
  });
  if (reply.kind !== 'stream-error') ev(incomplete ? 'response.incomplete' : 'response.completed', { response: done });
  return { frames };
}
