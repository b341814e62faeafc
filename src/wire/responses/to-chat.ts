// Responses request → Chat Completions request (pure), the pivot every translated upstream goes
// through (chat-completions and Anthropic providers). Items become messages: function calls merge
// into the assistant turn before them, outputs become tool messages, echoed mcp_call items become
// the gateway tool call and result they were. Anything a chat upstream cannot be told — hosted
// tools other than gateway MCP, items like web_search_call, truncation "auto" — is a 400 naming it,
// never a silent drop.
// https://platform.openai.com/docs/api-reference/responses/create
import { invalidRequest } from '../../errors.js';
import type { ChatMessage, ChatRequest, ContentPart as ChatPart, FunctionTool, ToolCall, ToolChoice } from '../../openai/types.js';
import type { ContentPart, InputItem, McpToolDef, ResponsesRequest, ResponsesToolChoice } from './types.js';

export interface ToChatOptions {
  /** The gateway's name for MCP tool `tool` of server `server` (e.g. docs__search), if it has one. */
  gatewayToolName(server: string, tool: string): string | undefined;
  /** For an echoed mcp_approval_request item that was decided: the call and its result (else it is left out). */
  echoedApproval?(id: string): ChatMessage[] | undefined;
}

export interface ChatPivot {
  chat: ChatRequest;
  /** The request's `type: "mcp"` tools, for the hosted-MCP layer to resolve. */
  mcpTools: McpToolDef[];
  /** Chat names of functions inside `namespace` tools → their namespace and own name (for function_call items). */
  namespaced: Map<string, { namespace: string; name: string }>;
  /** What the chat upstream is not told, said in `x-tollgate-warnings` (hosted tools it cannot run). */
  warnings: string[];
}

/** Hosted tools a model may use but need not: a chat upstream lacks them, and the client is told so. */
const OPTIONAL_HOSTED = new Set(['web_search', 'web_search_preview', 'image_generation']);

/** A function inside a namespace tool (Codex groups tools this way) is offered to chat as ns__name. */
export const namespacedName = (namespace: string, name: string) => `${namespace}__${name}`;

/** Top-level fields the gateway itself acts on (not sent to a chat upstream as such). */
const HANDLED = new Set([
  'model',
  'input',
  'instructions',
  'tools',
  'tool_choice',
  'parallel_tool_calls',
  'max_output_tokens',
  'reasoning',
  'text',
  'store',
  'include',
  'previous_response_id',
  'stream',
  'stream_options',
  'temperature',
  'top_p',
  'user',
  'metadata',
  // Codex's per-request metadata for the provider (installation and session ids): about the
  // request, not the model's behaviour; a chat upstream has nowhere to put it.
  'client_metadata',
  'fallbacks',
]);
/** Same name and meaning in Chat Completions: copied as they are. */
const SAME_IN_CHAT = new Set(['service_tier', 'prompt_cache_key', 'prompt_cache_retention', 'safety_identifier', 'top_logprobs']);

/**
 * `history`: the chat messages of the stored previous response (previous_response_id), which the
 * new input continues.
 */
export function responsesToChat(req: ResponsesRequest, history: readonly ChatMessage[], opts: ToChatOptions): ChatPivot {
  const chat: ChatRequest = { model: req.model, messages: [] };
  for (const key of Object.keys(req)) {
    const value = req[key];
    if (HANDLED.has(key) || value === null || value === undefined) continue;
    if (SAME_IN_CHAT.has(key)) chat[key] = value;
    else if (key === 'truncation' && value === 'disabled') continue;
    else if (key === 'background' && value === false) continue;
    else throw untranslatable(`${key}`, `"${key}" has no Chat Completions equivalent`);
  }
  if (req.top_logprobs !== undefined && req.top_logprobs !== null) chat.logprobs = true;

  const messages: ChatMessage[] = [];
  let sawReasoning = false;
  if (req.instructions) messages.push({ role: 'system', content: req.instructions });
  messages.push(...history);
  if (typeof req.input === 'string') messages.push({ role: 'user', content: req.input });
  else
    for (const [i, item] of (req.input ?? []).entries())
      if (appendItem(messages, item, `input[${i}]`, opts) === 'reasoning') sawReasoning = true;
  chat.messages = messages;

  const functionTools: FunctionTool[] = [];
  const mcpTools: McpToolDef[] = [];
  const namespaced = new Map<string, { namespace: string; name: string }>();
  const warnings: string[] = [];
  for (const [i, tool] of (req.tools ?? []).entries()) {
    if (tool.type === 'function') functionTools.push(chatFunction(tool as ResponsesFunction));
    else if (tool.type === 'mcp') mcpTools.push(tool as McpToolDef);
    else if (tool.type === 'namespace') {
      const ns = tool as unknown as { name: string; tools?: { type: string; name: string }[] };
      for (const [j, inner] of (ns.tools ?? []).entries()) {
        if (inner.type !== 'function')
          throw untranslatable(`tools[${i}].tools[${j}]`, `tool type "${inner.type}" is served only by a native Responses upstream`);
        const name = namespacedName(ns.name, inner.name);
        namespaced.set(name, { namespace: ns.name, name: inner.name });
        functionTools.push(chatFunction({ ...(inner as ResponsesFunction), name }));
      }
    } else if (OPTIONAL_HOSTED.has(tool.type)) warnings.push(`tools[${i}] (${tool.type}) not offered: the upstream cannot run it`);
    else throw untranslatable(`tools[${i}]`, `tool type "${tool.type}" is served only by a native Responses upstream`);
  }
  if (functionTools.length) chat.tools = functionTools;
  if (req.tool_choice !== undefined) chat.tool_choice = toolChoice(req.tool_choice, opts);
  if (req.parallel_tool_calls !== undefined && req.parallel_tool_calls !== null) chat.parallel_tool_calls = req.parallel_tool_calls;
  if (req.max_output_tokens) chat.max_completion_tokens = req.max_output_tokens;
  if (req.temperature !== undefined && req.temperature !== null) chat.temperature = req.temperature;
  if (req.top_p !== undefined && req.top_p !== null) chat.top_p = req.top_p;
  if (req.user !== undefined) chat.user = req.user;
  if (req.stream) chat.stream = true;
  if (req.fallbacks) chat.fallbacks = req.fallbacks;
  // reasoning.summary only asks for a summary in the output; chat upstreams return none to ask for.
  if (req.reasoning?.effort) chat.reasoning_effort = req.reasoning.effort;
  const format = req.text?.format;
  if (format?.type === 'json_object') chat.response_format = { type: 'json_object' };
  else if (format?.type === 'json_schema') {
    const { type: _type, ...schema } = format;
    chat.response_format = { type: 'json_schema', json_schema: schema };
  }
  if (req.text?.verbosity) chat.verbosity = req.text.verbosity;
  if (sawReasoning) warnings.push('reasoning items not sent: a chat upstream takes no reasoning input');
  return { chat, mcpTools, namespaced, warnings };
}

type ResponsesFunction = { name: string; description?: string | null; parameters?: unknown; strict?: boolean | null };

function chatFunction(t: ResponsesFunction): FunctionTool {
  return {
    type: 'function',
    function: {
      name: t.name,
      ...(t.description ? { description: t.description } : {}),
      parameters: (t.parameters as Record<string, unknown> | null | undefined) ?? { type: 'object', properties: {} },
      ...(t.strict !== undefined && t.strict !== null ? { strict: t.strict } : {}),
    },
  };
}

/** Returns 'reasoning' for a reasoning item left out (the caller warns once). */
function appendItem(messages: ChatMessage[], item: InputItem, param: string, opts: ToChatOptions): 'reasoning' | undefined {
  const type = item.type ?? 'message';
  switch (type) {
    case 'message': {
      const m = item as { role: 'user' | 'assistant' | 'system' | 'developer'; content: string | ContentPart[] };
      if (m.role === 'assistant') {
        const { text, refusal } = assistantText(m.content, param);
        messages.push({ role: 'assistant', content: text, ...(refusal ? { refusal } : {}) });
      } else messages.push({ role: m.role, content: inputContent(m.content, `${param}.content`) } as ChatMessage);
      return;
    }
    case 'function_call': {
      const c = item as { call_id: string; name: string; arguments: string; namespace?: string };
      const name = c.namespace ? namespacedName(c.namespace, c.name) : c.name;
      addToolCall(messages, { id: c.call_id, type: 'function', function: { name, arguments: c.arguments } });
      return;
    }
    case 'function_call_output': {
      const o = item as { call_id: string; output: string | ContentPart[] };
      messages.push({ role: 'tool', tool_call_id: o.call_id, content: toolOutput(o.output, `${param}.output`) });
      return;
    }
    case 'mcp_call': {
      // A gateway MCP call from an earlier response, echoed back: the call and its result.
      const c = item as {
        id: string;
        server_label: string;
        name: string;
        arguments: string;
        output?: string | null;
        error?: string | null;
      };
      const name = opts.gatewayToolName(c.server_label, c.name);
      if (!name) throw untranslatable(param, `mcp_call to "${c.server_label}" is not a gateway MCP server`);
      addToolCall(messages, { id: c.id, type: 'function', function: { name, arguments: c.arguments } });
      messages.push({ role: 'tool', tool_call_id: c.id, content: c.output ?? c.error ?? '' });
      return;
    }
    // The model's own earlier reasoning: a chat upstream takes no reasoning input, and a model answers
    // correctly without it (OpenAI drops it too once a turn has no pending tool calls). Listings are
    // informational; approval items are acted on by the approvals layer before this translation.
    case 'mcp_approval_request':
      messages.push(...(opts.echoedApproval?.((item as { id: string }).id) ?? []));
      return;
    case 'reasoning':
      return 'reasoning';
    case 'mcp_list_tools':
    case 'mcp_approval_response':
      return;
    default:
      throw untranslatable(param, `item type "${type}" is served only by a native Responses upstream`);
  }
}

/** Consecutive function calls belong to one assistant turn (chat's tool_calls array). */
function addToolCall(messages: ChatMessage[], call: ToolCall): void {
  const last = messages[messages.length - 1];
  if (last?.role === 'assistant') (last.tool_calls ??= []).push(call);
  else messages.push({ role: 'assistant', content: null, tool_calls: [call] });
}

function inputContent(content: string | ContentPart[], param: string): string | ChatPart[] {
  if (typeof content === 'string') return content;
  return content.map((p, i): ChatPart => {
    switch (p.type) {
      case 'input_text':
      case 'output_text':
        return { type: 'text', text: p.text };
      case 'input_image':
        if (!p.image_url) throw untranslatable(`${param}[${i}]`, 'an input_image by file_id needs a native Responses upstream');
        return { type: 'image_url', image_url: { url: p.image_url, ...(p.detail ? { detail: p.detail } : {}) } };
      case 'input_file':
        if (p.file_url) throw untranslatable(`${param}[${i}]`, 'an input_file by file_url needs a native Responses upstream');
        return {
          type: 'file',
          file: {
            ...(p.file_data ? { file_data: p.file_data } : {}),
            ...(p.file_id ? { file_id: p.file_id } : {}),
            ...(p.filename ? { filename: p.filename } : {}),
          },
        };
      default:
        throw untranslatable(`${param}[${i}]`, `content part "${p.type}" has no Chat Completions equivalent`);
    }
  });
}

function assistantText(content: string | ContentPart[], param: string): { text: string | null; refusal: string | undefined } {
  if (typeof content === 'string') return { text: content, refusal: undefined };
  let text = '';
  let refusal: string | undefined;
  for (const [i, p] of content.entries()) {
    if (p.type === 'output_text' || p.type === 'input_text') text += p.text;
    else if (p.type === 'refusal') refusal = (refusal ?? '') + p.refusal;
    else throw untranslatable(`${param}.content[${i}]`, `assistant content part "${p.type}" has no Chat Completions equivalent`);
  }
  return { text: text || null, refusal };
}

function toolOutput(output: string | ContentPart[], param: string): string {
  if (typeof output === 'string') return output;
  return output
    .map((p, i) => {
      if (p.type === 'input_text' || p.type === 'output_text') return p.text;
      throw untranslatable(`${param}[${i}]`, `a function output part "${p.type}" has no Chat Completions equivalent`);
    })
    .join('');
}

function toolChoice(choice: ResponsesToolChoice, opts: ToChatOptions): ToolChoice {
  if (typeof choice === 'string') return choice;
  if (choice.type === 'function') return { type: 'function', function: { name: (choice as { name: string }).name } };
  if (choice.type === 'mcp') {
    const c = choice as { server_label: string; name?: string | null };
    if (!c.name) return 'required';
    const name = opts.gatewayToolName(c.server_label, c.name);
    if (!name) throw invalidRequest(`tool_choice: "${c.server_label}" has no tool "${c.name}" this key may use`, 'tool_choice');
    return { type: 'function', function: { name } };
  }
  throw untranslatable('tool_choice', `tool_choice type "${choice.type}" has no Chat Completions equivalent`);
}

export function untranslatable(param: string, why: string) {
  return invalidRequest(`${param}: ${why}; this model's provider speaks Chat Completions`, param, 'untranslatable_field');
}
