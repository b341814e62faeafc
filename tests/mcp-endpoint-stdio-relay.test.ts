// Relaying from a stdio server (the reference server-everything): stdio carries no link between a
// server's request and the call it is about, so the gateway binds it to the call in flight only when
// there is exactly one, and otherwise refuses it rather than guess whose user to ask. Binding that
// way needs no async context, so stdio calls never turn Node's async hooks on.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { AsyncLocalStorage } from 'node:async_hooks';
import { CreateMessageRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { startGateway, type TestGateway } from './helpers/gateway.js';
import { everythingServer } from './helpers/wire.js';
import { ActiveCall } from '../mcp/call-context.js';
import { connectStreamable, textOf } from '../mcp/server/testing.js';

const KEY = 'vk-stdio-relay-0001';
let gw: TestGateway;

before(async () => {
  gw = await startGateway({
    config: {
      mcpServers: { everything: { ...everythingServer(), pin: 'off' } },
      virtualKeys: [{ id: 'agent', key: KEY, tools: { allow: ['everything__*'] } }],
    },
  });
});
after(() => gw.close());

async function sampler() {
  const agent = await connectStreamable(gw.url, KEY, { sampling: {} });
  const asked: string[] = [];
  agent.client.setRequestHandler(CreateMessageRequestSchema, (r) => {
    asked.push(String((r.params.messages[0]!.content as { text?: string }).text));
    return { model: 'client-model', role: 'assistant', content: { type: 'text', text: 'sampled by the client' } };
  });
  return { ...agent, asked };
}

test('the only call in flight to a stdio server gets its sampling request', async () => {
  const agent = await sampler();
  try {
    const result = await agent.client.callTool({ name: 'everything__trigger-sampling-request', arguments: { prompt: 'hello' } });
    assert.match(JSON.stringify(result.content), /sampled by the client/);
    assert.deepEqual(agent.asked, ['Resource trigger-sampling-request context: hello']);
  } finally {
    await agent.close();
  }
});

test('with another call to the same stdio server in flight, the request is refused, never guessed', async () => {
  const agent = await sampler();
  const other = await connectStreamable(gw.url, KEY);
  try {
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const long = other.client.callTool(
      { name: 'everything__trigger-long-running-operation', arguments: { duration: 3, steps: 3 } },
      undefined,
      {
        onprogress: () => started(),
        timeout: 20_000,
      },
    );
    await running;
    const result = await agent.client.callTool({ name: 'everything__trigger-sampling-request', arguments: { prompt: 'who?' } });
    assert.deepEqual(agent.asked, [], 'no client was asked');
    assert.match(textOf(result), /not tied to a tool call the gateway can attribute to one client/);
    await long;
  } finally {
    await Promise.all([agent.close(), other.close()]);
  }
});

test('calls to stdio servers enter no async context (on Node 20 that turns async hooks on for every promise, for good)', async (t) => {
  const entered: unknown[] = [];
  const run = AsyncLocalStorage.prototype.run;
  t.mock.method(AsyncLocalStorage.prototype, 'run', function (this: AsyncLocalStorage<unknown>, store: unknown, ...rest: never[]) {
    if (store instanceof ActiveCall || (typeof store === 'object' && store !== null && 'caller' in store)) entered.push(store);
    return Reflect.apply(run, this, [store, ...rest]);
  });
  const agent = await sampler();
  try {
    const result = await agent.client.callTool({ name: 'everything__trigger-sampling-request', arguments: { prompt: 'again' } });
    assert.match(JSON.stringify(result.content), /sampled by the client/, 'the call still gets its sampling request');
  } finally {
    await agent.close();
  }
  assert.deepEqual(entered, []);
});
