// Reads what the gateway sent upstream, whichever wire format the provider speaks.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export interface SentToolResult {
  id: string;
  content: string;
}

/** Tool results in the last turn(s) of a request body (OpenAI `tool` messages or Anthropic `tool_result` blocks). */
export function toolResultsOf(body: any): SentToolResult[] {
  const out: SentToolResult[] = [];
  // Responses input items (a native Responses upstream).
  for (const i of Array.isArray(body.input) ? body.input : [])
    if (i.type === 'function_call_output')
      out.push({ id: i.call_id, content: typeof i.output === 'string' ? i.output : JSON.stringify(i.output) });
  for (const m of body.messages ?? []) {
    if (m.role === 'tool') out.push({ id: m.tool_call_id, content: typeof m.content === 'string' ? m.content : JSON.stringify(m.content) });
    if (m.role === 'user' && Array.isArray(m.content)) {
      for (const block of m.content) {
        if (block.type !== 'tool_result') continue;
        const content = typeof block.content === 'string' ? block.content : (block.content ?? []).map((b: any) => b.text ?? '').join('');
        out.push({ id: block.tool_use_id, content });
      }
    }
  }
  return out;
}

/** Names of the tools offered in a request body, in either format. */
export function offeredToolsOf(body: any): string[] {
  return (body.tools ?? []).map((t: any) => t.function?.name ?? t.name);
}

/** Tool calls the assistant made, as they appear in the request history. */
export function historyToolCallsOf(body: any): { id: string; name: string }[] {
  const out: { id: string; name: string }[] = [];
  for (const m of body.messages ?? []) {
    for (const c of m.tool_calls ?? []) out.push({ id: c.id, name: c.function.name });
    if (m.role === 'assistant' && Array.isArray(m.content))
      for (const b of m.content) if (b.type === 'tool_use') out.push({ id: b.id, name: b.name });
  }
  return out;
}

const require = createRequire(import.meta.url);

/** Config entry for @modelcontextprotocol/server-everything over stdio (a devDependency). */
export function everythingServer(extra: Record<string, unknown> = {}) {
  const pkg = require.resolve('@modelcontextprotocol/server-everything/package.json');
  return { transport: 'stdio', command: process.execPath, args: [join(dirname(pkg), 'dist', 'index.js'), 'stdio'], ...extra };
}
