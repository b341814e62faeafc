// The gateway the crafted-body tests (duplicate-keys, request-check-keys) send their bytes to: a
// Responses-speaking OpenAI provider `oai` (gpt-5), an Anthropic one `ant` (claude-sonnet-4-5), and
// with `chat: true` a chat-only OpenAI provider `chat` (gpt-4o-mini, so Responses is translated), all
// on one mock; one key with a $10 budget. Registers its own before/after/beforeEach hooks (the mock
// is reset before each test), so a test file calls it once at the top.
import { after, before, beforeEach } from 'node:test';
import { startMockUpstream, type MockUpstream } from '../mock-upstream/server.js';
import { passThroughProviders, startGateway, type TestGateway } from '../helpers/gateway.js';

export interface RawBodyGateway {
  /** The mock (set once `before` ran). */
  readonly mock: MockUpstream;
  readonly gw: TestGateway;
  /** POSTs `body` as given to `/v1${path}` with the key: the status, the text, its JSON (undefined if not JSON), the content-type. */
  post(path: string, body: string): Promise<{ status: number; json: any; text: string; type: string | null }>;
}

/** `tag` names the key's id and the provider keys (sk-`tag`, sk-ant-`tag`); `vk` is the virtual key. */
export function rawBodyGateway(tag: string, vk: string, opts: { chat?: boolean } = {}): RawBodyGateway {
  let mock: MockUpstream | undefined;
  let gw: TestGateway | undefined;
  before(async () => {
    mock = await startMockUpstream();
    const { oai, ant } = passThroughProviders(mock, tag);
    const chat = { type: 'openai', baseUrl: mock.openaiBaseUrl, keys: [{ value: `sk-${tag}` }], models: ['gpt-4o-mini'] };
    gw = await startGateway({
      config: {
        providers: opts.chat ? { oai, chat, ant } : { oai, ant },
        virtualKeys: [{ id: tag, key: vk, models: ['*'], budget: { usd: 10, period: 'month' } }],
      },
    });
  });
  after(async () => {
    await gw?.close();
    await mock?.close();
  });
  beforeEach(() => mock!.reset());
  return {
    get mock() {
      return mock!;
    },
    get gw() {
      return gw!;
    },
    async post(path, body) {
      const res = await fetch(`${gw!.baseURL}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${vk}`, 'content-type': 'application/json' },
        body,
      });
      const text = await res.text();
      let json: any;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      return { status: res.status, json, text, type: res.headers.get('content-type') };
    },
  };
}
