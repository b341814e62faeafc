// A JSON native Responses answer is written before the last round's effects outside the request
// (budget settlement, rate-limit tokens, metrics, the llm_calls row) and the requests row, as a
// stream's are after its last byte (src/responses/native-run.ts `after`); the rows still carry the
// usage and cost, and a round the loop goes on after still has its row written at once.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { startMockUpstream, type MockUpstream } from './mock-upstream/server.js';
import { watchEffectOrder } from './helpers/effect-order.js';
import { startGateway, type TestGateway } from './helpers/gateway.js';
import { startMcpHttpServer, type McpHttpServer } from './fixtures/mcp-http-server.js';

const VK = 'vk-native-json-0001';
const VK_TOOLS = 'vk-native-json-tools1';
const PRICE = { inputPerMTok: 1, outputPerMTok: 2 };
let mock: MockUpstream;
let fixture: McpHttpServer;
let gw: TestGateway;

before(async () => {
  mock = await startMockUpstream();
  fixture = await startMcpHttpServer();
  gw = await startGateway({
    config: {
      providers: {
        oai: {
          type: 'openai',
          baseUrl: mock.openaiBaseUrl,
          keys: [{ value: 'sk-native-secret' }],
          models: ['gpt-5'],
          apis: ['chat', 'responses'],
          maxRetries: 0,
        },
      },
      pricing: { 'oai/gpt-5': PRICE },
      mcpServers: { fix: { transport: 'http', url: fixture.url } },
      virtualKeys: [
        { id: 'native-json', key: VK, models: ['*'], budget: { usd: 10, period: 'month' } },
        { id: 'native-json-tools', key: VK_TOOLS, models: ['*'], tools: { allow: ['fix__*'] } },
      ],
    },
  });
});
after(async () => {
  await gw.close();
  await fixture.close();
  await mock.close();
});
beforeEach(() => mock.reset());

/** Posts `body` and returns the order of the client's end() and the ledger's llm_calls and requests rows. */
async function ordered(body: object, key: string): Promise<{ res: Response; json: any; order: string[] }> {
  const watch = watchEffectOrder(gw);
  try {
    const res = await fetch(`${gw.baseURL}/responses`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { res, json: await res.json(), order: watch.order };
  } finally {
    watch.stop();
  }
}

test('a JSON pass-through is written before its effects: the llm_calls and requests rows come after the end, with usage and cost', async () => {
  mock.enqueue({ kind: 'text', text: 'answered first', usage: { input: 40, output: 6 } });
  const { res, json, order } = await ordered({ model: 'oai/gpt-5', input: 'x' }, VK);
  assert.equal(json.output[0].content[0].text, 'answered first');
  assert.deepEqual(order, ['end', 'llm_calls', 'requests']);
  const id = res.headers.get('x-request-id');
  const cost = (40 * PRICE.inputPerMTok + 6 * PRICE.outputPerMTok) / 1e6;
  const [call] = await gw.query<any>('SELECT status, prompt_tokens, completion_tokens, cost_usd FROM llm_calls WHERE request_id = ?', id);
  assert.deepEqual([call.status, Number(call.prompt_tokens), Number(call.completion_tokens), call.cost_usd], [200, 40, 6, cost]);
  const [row] = await gw.query<any>('SELECT status, prompt_tokens, completion_tokens, cost_usd FROM requests WHERE id = ?', id);
  assert.deepEqual([row.status, Number(row.prompt_tokens), Number(row.completion_tokens), row.cost_usd], [200, 40, 6, cost]);
});

test('a round the loop goes on after has its row at once; the last round and the requests row come after the end', async () => {
  mock.enqueue({
    kind: 'tool_calls',
    calls: [{ id: 'call_gw', name: 'fix__add', arguments: { a: 2, b: 3 } }],
    usage: { input: 10, output: 2 },
  });
  mock.enqueue({ kind: 'text', text: 'five', usage: { input: 20, output: 1 } });
  const { res, json, order } = await ordered({ model: 'oai/gpt-5', input: 'add' }, VK_TOOLS);
  assert.equal(json.output.at(-1).content[0].text, 'five');
  assert.deepEqual(order, ['llm_calls', 'end', 'llm_calls', 'requests']);
  const [row] = await gw.query<any>('SELECT prompt_tokens, completion_tokens FROM requests WHERE id = ?', res.headers.get('x-request-id'));
  assert.deepEqual([Number(row.prompt_tokens), Number(row.completion_tokens)], [30, 3]);
});
