// The demo provider's "model": a deterministic echo that can also call a tool. It exists so a new
// user sees the gateway work (a reply, a tool loop, a ledger row) before they have a provider key.
// Pure: a chat request in, a chat completion out. It reads no network, clock or environment.
import type { ChatCompletion, ChatMessage, ChatRequest, FunctionTool, ToolCall } from '../../src/openai/types.js';

/** Every reply starts with this, so nobody mistakes the demo for a real model. */
const DEMO_LABEL = '[tollgate demo model]';

/** Rough token count (4 characters a token) so usage, the ledger and budgets have numbers to show. */
function tokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

function textOf(content: ChatMessage['content']): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((part) => (part.type === 'text' && typeof part.text === 'string' ? part.text : '')).join('');
}

/**
 * Chooses a tool when the user asks for one: a tool whose name (with or without its `server__`
 * prefix) appears in the message, else — when the message says "tool" — the first offered tool
 * whose required arguments can be filled from the message (numbers for numeric parameters, the
 * message itself for text ones), preferring numeric tools when the message holds numbers.
 */
function pickTool(tools: readonly FunctionTool[], text: string): { tool: FunctionTool; args: Record<string, unknown> } | undefined {
  const lower = text.toLowerCase();
  const named = tools.find((t) => {
    const name = t.function.name.toLowerCase();
    const sep = name.indexOf('__');
    const short = sep >= 0 ? name.slice(sep + 2) : name;
    return (name.length > 0 && lower.includes(name)) || (short.length > 0 && lower.includes(short));
  });
  if (named) {
    const args = fillArguments(named, text);
    if (args) return { tool: named, args };
  }
  if (!/\btools?\b/.test(lower)) return undefined;
  const numbers = text.match(/-?\d+(\.\d+)?/g)?.map(Number) ?? [];
  const fillable = tools.flatMap((tool) => {
    const args = fillArguments(tool, text);
    return args ? [{ tool, args, numeric: Object.values(args).some((v) => typeof v === 'number') }] : [];
  });
  return (numbers.length > 0 ? fillable.find((f) => f.numeric) : fillable.find((f) => !f.numeric)) ?? fillable[0];
}

/** Arguments for the tool's required parameters, or undefined when the message cannot supply them. */
function fillArguments(tool: FunctionTool, text: string): Record<string, unknown> | undefined {
  const schema = tool.function.parameters as { properties?: Record<string, { type?: string }>; required?: string[] } | undefined;
  const numbers = text.match(/-?\d+(\.\d+)?/g)?.map(Number) ?? [];
  const args: Record<string, unknown> = {};
  for (const name of schema?.required ?? []) {
    const type = schema?.properties?.[name]?.type;
    if (type === 'number' || type === 'integer') {
      const n = numbers.shift();
      if (n === undefined) return undefined;
      args[name] = n;
    } else if (type === 'string') {
      args[name] = text;
    } else if (type === 'boolean') {
      args[name] = false;
    } else {
      return undefined;
    }
  }
  return args;
}

/** The demo's answer to one request. `seq` makes ids unique within a process. */
export function demoCompletion(req: ChatRequest, model: string, seq: number, created: number): ChatCompletion {
  const messages = req.messages;
  const promptTokens = tokens(messages.map((m) => textOf(m.content)).join('\n'));
  const id = `chatcmpl-demo-${seq}`;
  const done = (message: ChatCompletion['choices'][number]['message'], finish: 'stop' | 'tool_calls'): ChatCompletion => {
    const out = message.content ?? JSON.stringify(message.tool_calls);
    const completionTokens = tokens(out);
    return {
      id,
      object: 'chat.completion',
      created,
      model,
      choices: [{ index: 0, message, finish_reason: finish }],
      usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
    };
  };

  // After tool results: report them (the end of a tool loop).
  const results: string[] = [];
  for (let i = messages.length - 1; i >= 0 && messages[i]!.role === 'tool'; i--) results.unshift(textOf(messages[i]!.content));
  if (results.length > 0) {
    return done({ role: 'assistant', content: `${DEMO_LABEL} The tool answered: ${results.join(' | ')}` }, 'stop');
  }

  const lastUser = [...messages].reverse().find((m) => m.role === 'user');
  const text = lastUser ? textOf(lastUser.content) : '';
  const tools = req.tool_choice === 'none' ? [] : (req.tools ?? []);
  const picked = pickTool(tools, text);
  if (picked) {
    const call: ToolCall = {
      id: `call_demo_${seq}`,
      type: 'function',
      function: { name: picked.tool.function.name, arguments: JSON.stringify(picked.args) },
    };
    return done({ role: 'assistant', content: null, tool_calls: [call] }, 'tool_calls');
  }
  return done({ role: 'assistant', content: `${DEMO_LABEL} You said: ${text}` }, 'stop');
}
