// What the upstream's own tools (web search) leave in a scripted reply, in each wire format:
// Anthropic's server_tool_use / web_search_tool_result blocks and `usage.server_tool_use`
// (https://docs.anthropic.com/en/docs/agents-and-tools/tool-use/web-search-tool), Responses'
// `web_search_call` output items (openai-node src/resources/responses/responses.ts). Written
// independently of the gateway's src/wire, as the rest of the mock.
import type { MockReply } from './types.js';

/** Searches a scripted reply says the upstream made (0 for replies without any). */
export function searchesOf(reply: MockReply): number {
  return reply.kind === 'text' ? (reply.webSearches ?? 0) : 0;
}

/** Anthropic: each search's server_tool_use block and its result block, before the answer. */
export function anthropicSearchBlocks(n: number, searches: number): Record<string, unknown>[] {
  const blocks: Record<string, unknown>[] = [];
  for (let i = 0; i < searches; i++) {
    const id = `srvtoolu_mock${n}_${i}`;
    blocks.push(
      { type: 'server_tool_use', id, name: 'web_search', input: { query: `query ${i}` } },
      {
        type: 'web_search_tool_result',
        tool_use_id: id,
        content: [
          { type: 'web_search_result', url: `https://example.com/${i}`, title: `result ${i}`, encrypted_content: 'Eo8B', page_age: null },
        ],
      },
    );
  }
  return blocks;
}

/** Anthropic's usage field for them (message usage, and each stream's message_delta usage). */
export const serverToolUsage = (searches: number) => ({ web_search_requests: searches, web_fetch_requests: 0 });

/** The container a scripted reply says the upstream ran code in, if any. */
export function containerOf(reply: MockReply): string | undefined {
  return reply.kind === 'text' ? reply.container : undefined;
}

/** Anthropic's `container` field (https://docs.anthropic.com/en/docs/agents-and-tools/tool-use/code-execution-tool). */
export const anthropicContainer = (id: string) => ({ id, expires_at: '2030-01-01T00:00:00Z' });

/** Responses: the code_interpreter_call item of a run in that container. */
export const codeInterpreterItem = (n: number, container: string) => ({
  id: `ci_mock${n}`,
  type: 'code_interpreter_call',
  status: 'completed',
  code: 'print(1)',
  container_id: container,
  outputs: null,
});

/** Responses: each search as a web_search_call output item. */
export function webSearchItems(n: number, searches: number): Record<string, unknown>[] {
  const items: Record<string, unknown>[] = [];
  for (let i = 0; i < searches; i++)
    items.push({ id: `ws_mock${n}_${i}`, type: 'web_search_call', status: 'completed', action: { type: 'search', query: `query ${i}` } });
  return items;
}
