// Renders scripted MockReplies in Anthropic's Messages API wire format, for the loopback mock
// upstream. Shapes follow https://docs.anthropic.com/en/api/messages and the event order of
// https://docs.anthropic.com/en/api/messages-streaming (message_start, content_block_start, ping,
// content_block_delta…, content_block_stop, message_delta, message_stop).
import { randomUUID } from 'node:crypto';
import type { MockReply, MockToolCall, MockUsage, Rendered } from './types.js';
import { anthropicContainer, anthropicSearchBlocks, containerOf, searchesOf, serverToolUsage } from './hosted-tools.js';

type Block =
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id: string; name: string; input: unknown }
  /** A server tool's blocks (server_tool_use, web_search_tool_result…), as they come. */
  | { type: 'server'; block: Record<string, unknown> };

const DEFAULT_USAGE: MockUsage = { input: 10, output: 5 };

/** Splits into about `parts` non-empty pieces so clients must reassemble deltas. */
export function splitPieces(text: string, parts = 3): string[] {
  if (text.length === 0) return [];
  const size = Math.max(1, Math.ceil(text.length / parts));
  const pieces: string[] = [];
  for (let i = 0; i < text.length; i += size) pieces.push(text.slice(i, i + size));
  return pieces;
}

/** Anthropic's `input` is an object; a JSON string in the script is parsed, anything else kept. */
function toolInput(args: unknown): unknown {
  if (typeof args !== 'string') return args ?? {};
  try {
    return JSON.parse(args);
  } catch {
    return args;
  }
}

function blocksOf(reply: MockReply): { blocks: Block[]; stopReason: string } {
  if (reply.kind === 'text') {
    return { blocks: [{ type: 'text', text: reply.text }], stopReason: reply.finish === 'length' ? 'max_tokens' : 'end_turn' };
  }
  if (reply.kind === 'tool_calls') {
    const calls: Block[] = reply.calls.map((c: MockToolCall, n) => ({
      type: 'tool_use',
      id: c.id ?? `toolu_mock_${n}`,
      name: c.name,
      input: toolInput(c.arguments),
    }));
    return { blocks: reply.text ? [{ type: 'text', text: reply.text }, ...calls] : calls, stopReason: 'tool_use' };
  }
  if (reply.kind === 'stream-error') return { blocks: [{ type: 'text', text: reply.text }], stopReason: 'end_turn' };
  throw new Error(`renderAnthropic cannot render a '${reply.kind}' reply`);
}

function usageOf(reply: MockReply) {
  const u = ('usage' in reply ? reply.usage : undefined) ?? DEFAULT_USAGE;
  const searches = searchesOf(reply);
  return {
    input_tokens: u.input,
    cache_creation_input_tokens: u.cacheWrite ?? 0,
    ...(u.cacheWrite1h
      ? { cache_creation: { ephemeral_5m_input_tokens: (u.cacheWrite ?? 0) - u.cacheWrite1h, ephemeral_1h_input_tokens: u.cacheWrite1h } }
      : {}),
    cache_read_input_tokens: u.cacheRead ?? 0,
    output_tokens: u.output,
    ...(searches ? { server_tool_use: serverToolUsage(searches) } : {}),
    ...(u.iterations
      ? {
          iterations: u.iterations.map((i) => ({
            type: i.type,
            input_tokens: i.input,
            output_tokens: i.output,
            cache_read_input_tokens: 0,
            cache_creation_input_tokens: 0,
          })),
        }
      : {}),
  };
}

const frame = (data: { type: string } & Record<string, unknown>): string => `event: ${data.type}\ndata: ${JSON.stringify(data)}\n\n`;

function blockFrames(block: Block, index: number): string[] {
  if (block.type === 'server') {
    // A server_tool_use block streams its input like tool_use; a result block comes whole.
    if (block.block.type !== 'server_tool_use') return [frame({ type: 'content_block_start', index, content_block: block.block })];
    const json = JSON.stringify(block.block.input);
    return [
      frame({ type: 'content_block_start', index, content_block: { ...block.block, input: {} } }),
      frame({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: json } }),
    ];
  }
  if (block.type === 'text') {
    return [
      frame({ type: 'content_block_start', index, content_block: { type: 'text', text: '' } }),
      ...splitPieces(block.text).map((text) => frame({ type: 'content_block_delta', index, delta: { type: 'text_delta', text } })),
    ];
  }
  // Like the real API: the block starts with input {}, then an empty partial_json, then pieces.
  const json = JSON.stringify(block.input);
  return [
    frame({ type: 'content_block_start', index, content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} } }),
    ...['', ...splitPieces(json, 4)].map((partial_json) =>
      frame({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json } }),
    ),
  ];
}

let searchCounter = 0;

export function renderAnthropic(reply: MockReply, request: any, stream: boolean): Rendered {
  const answered = blocksOf(reply);
  const stopReason = answered.stopReason;
  const searches = anthropicSearchBlocks(++searchCounter, searchesOf(reply)).map((block): Block => ({ type: 'server', block }));
  const blocks = searches.length ? [...searches, ...answered.blocks] : answered.blocks;
  const usage = usageOf(reply);
  const message = {
    id: `msg_mock_${randomUUID().replaceAll('-', '')}`,
    type: 'message',
    role: 'assistant',
    model: String(request?.model ?? 'claude-mock'),
    content: blocks.map((b) => (b.type === 'server' ? b.block : b)),
    stop_reason: stopReason,
    stop_sequence: null,
    usage,
  };
  const container = containerOf(reply);
  if (container) Object.assign(message, { container: anthropicContainer(container) });
  if (!stream) {
    if (reply.kind === 'stream-error') throw new Error("a 'stream-error' reply needs a streaming request");
    return { json: message };
  }
  const frames = [
    frame({
      type: 'message_start',
      message: {
        ...message,
        content: [],
        stop_reason: null,
        ...(container ? { container: null } : {}),
        usage: {
          ...usage,
          output_tokens: 1,
          iterations: undefined,
          ...(usage.server_tool_use ? { server_tool_use: serverToolUsage(0) } : {}),
        },
      },
    }),
  ];
  blocks.forEach((block, index) => {
    frames.push(...blockFrames(block, index));
    if (index === 0) frames.splice(2, 0, frame({ type: 'ping' }));
    if (reply.kind !== 'stream-error') frames.push(frame({ type: 'content_block_stop', index }));
  });
  if (reply.kind === 'stream-error') {
    frames.push(frame({ type: 'error', error: { type: reply.errorType, message: reply.message } }));
    return { frames };
  }
  frames.push(
    frame({
      type: 'message_delta',
      delta: { stop_reason: stopReason, stop_sequence: null, ...(container ? { container: anthropicContainer(container) } : {}) },
      usage: {
        output_tokens: usage.output_tokens,
        ...(usage.server_tool_use ? { server_tool_use: usage.server_tool_use } : {}),
        ...(usage.iterations ? { iterations: usage.iterations } : {}),
      },
    }),
    frame({ type: 'message_stop' }),
  );
  return { frames };
}

const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  529: 'overloaded_error',
};

/** https://docs.anthropic.com/en/api/errors */
export function anthropicErrorBody(status: number, message: string): string {
  const type = ERROR_TYPES[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
  return JSON.stringify({ type: 'error', error: { type, message }, request_id: `req_mock_${randomUUID().replaceAll('-', '')}` });
}
