// The input a native Responses upstream gets when the gateway has a part in the conversation
// (pure apart from the hidden-call lookup). The client's items pass as they are, except:
// - echoed items of the gateway's hosted MCP servers: an mcp_call becomes the function_call and
//   function_call_output it was, a decided mcp_approval_request the call and result it led to, and
//   mcp_list_tools and undecided requests go (the upstream never made them);
// - a mixed turn's hidden gateway calls (src/chat/stitch.ts) go back beside the client's call they
//   were made with, or, when the upstream holds the turn (previous_response_id), only their outputs.
import type { HiddenCalls, HiddenOwner } from '../chat/stitch.js';
import type { ChatMessage } from '../openai/types.js';
import { invalidRequest } from '../errors.js';
import { chatToItems, functionCallInput, functionOutputInput } from '../wire/responses/native-items.js';
import type { InputItem, McpCallItem } from '../wire/responses/types.js';

export interface NativeInputOptions {
  /** MCP server labels that are the gateway's in this request (hosted, no server_url). */
  gatewayLabels: ReadonlySet<string>;
  /** The gateway's name for a server's tool this key may use. */
  gatewayToolName(server: string, tool: string): string | undefined;
  /** A decided echoed approval request: its call and result. */
  echoed(id: string): ChatMessage[] | undefined;
  /** Approval responses the gateway acted on (the rest are the upstream's). */
  decided: ReadonlySet<string>;
  hidden: HiddenCalls;
  who: HiddenOwner;
}

/**
 * Whether nativeInput could change `items`, known without its options (native-setup.ts then builds
 * none): only an item with a server label, an approval response, or (while hidden turns exist) a
 * call id is ever changed below. A new case in nativeInput belongs here too.
 */
export function nativeInputMayChange(items: readonly InputItem[], hiddenTurns: boolean): boolean {
  for (const item of items) {
    const i = item as { type?: unknown; server_label?: unknown; call_id?: unknown };
    if (i.server_label !== undefined || i.type === 'mcp_approval_response') return true;
    if (hiddenTurns && typeof i.call_id === 'string') return true;
  }
  return false;
}

/** `items` itself when nothing changes. */
export function nativeInput(items: readonly InputItem[], opts: NativeInputOptions): { items: InputItem[]; changed: boolean } {
  const out: InputItem[] = [];
  let changed = false;
  const stitched = new Set<string>();
  for (const [i, item] of items.entries()) {
    const label = (item as { server_label?: string }).server_label;
    const gateway = label !== undefined && opts.gatewayLabels.has(label);
    if (gateway && item.type === 'mcp_call') {
      const c = item as McpCallItem;
      const name = opts.gatewayToolName(c.server_label, c.name);
      if (!name) throw invalidRequest(`input[${i}]: mcp_call to "${c.server_label}" names a tool this key may not use`, `input[${i}]`);
      out.push(functionCallInput({ id: c.id, type: 'function', function: { name, arguments: c.arguments } }));
      out.push(functionOutputInput(c.id, c.output ?? c.error ?? ''));
      changed = true;
      continue;
    }
    if (gateway && (item.type === 'mcp_list_tools' || item.type === 'mcp_approval_request')) {
      if (item.type === 'mcp_approval_request') out.push(...chatToItems(opts.echoed((item as { id: string }).id) ?? []));
      changed = true;
      continue;
    }
    if (item.type === 'mcp_approval_response' && opts.decided.has((item as { approval_request_id: string }).approval_request_id)) {
      changed = true;
      continue;
    }
    const callId = (item as { call_id?: unknown }).call_id;
    const found = typeof callId === 'string' ? opts.hidden.lookup([callId], opts.who) : undefined;
    // One hidden turn per client turn: its other client calls (and their outputs) find it done.
    if (!found?.calls.length || stitched.has(found.calls[0]!.id)) {
      out.push(item);
      continue;
    }
    changed = true;
    for (const c of found.calls) stitched.add(c.id);
    const outputs = found.results.map((r) => functionOutputInput(r.tool_call_id, r.content));
    if (String(item.type).endsWith('_output')) out.push(...outputs, item);
    else out.push(item, ...found.calls.map(functionCallInput), ...outputs);
  }
  return changed ? { items: out, changed } : { items: items as InputItem[], changed };
}
