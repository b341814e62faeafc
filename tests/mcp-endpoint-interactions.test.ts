// What an upstream server asks of its client during a tool call — elicitation, sampling — reaches
// the /mcp client that made the call, and only that one; a client that cannot answer gets a clear
// refusal as the tool result; log messages and progress reach the calling request; cancelling the
// request cancels the upstream call (issue 19, items 2 and 5). Against a 2025 upstream (the 1.x SDK
// fixture) and a 2026-07-28 one (the 2.x SDK fixture, input_required rounds), for 2025 and
// 2026-07-28 clients; and in the chat loop, where no one can answer.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { CreateMessageRequestSchema, ElicitRequestSchema, LoggingMessageNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { startMcpHttpServer, type McpHttpServer } from './fixtures/mcp-http-server.js';
import { startModernMcpServer, type ModernMcpServer } from './fixtures/mcp-modern-server.js';
import { startMockUpstream, type MockUpstream } from './mock-upstream/server.js';
import { mockProviders, startGateway, type TestGateway } from './helpers/gateway.js';
import { toolResultsOf } from './helpers/wire.js';
import { connectModern, connectStreamable, reasonOf, textOf } from '../mcp/server/testing.js';
import { waitFor } from './helpers/wait-for.js';

const KEY = 'vk-interactions-0001';
let legacyUpstream: McpHttpServer;
let modernUpstream: ModernMcpServer;
let mock: MockUpstream;
let gw: TestGateway;

before(async () => {
  [legacyUpstream, modernUpstream, mock] = await Promise.all([
    startMcpHttpServer({ full: true }),
    startModernMcpServer(),
    startMockUpstream(),
  ]);
  gw = await startGateway({
    config: {
      providers: mockProviders(mock),
      mcpServers: {
        fx: { transport: 'http', url: legacyUpstream.url, callTimeoutMs: 5_000, pin: 'off' },
        m: { transport: 'http', url: modernUpstream.url, callTimeoutMs: 5_000, pin: 'off' },
      },
      virtualKeys: [{ id: 'agent', key: KEY, models: ['*'], tools: { allow: ['fx__*', 'm__*'] } }],
      mcpEndpoint: { inputTimeoutMs: 1_500 },
    },
  });
});
after(async () => {
  await gw.close();
  await Promise.all([legacyUpstream.close(), modernUpstream.close(), mock.close()]);
});
beforeEach(() => mock.reset());

test('each upstream is reached on the newest revision it speaks', () => {
  const versions = Object.fromEntries(gw.gateway.mcp.status().map((s) => [s.name, s.protocolVersion]));
  assert.deepEqual(versions, { fx: '2025-11-25', m: '2026-07-28' });
});

type Answers = { elicited: string[]; sampled: string[] };

/** A 2025 client (1.x SDK) that answers elicitation with `ok` and sampling with a canned model reply. */
async function legacyClient(
  ok: boolean,
  capabilities: { elicitation?: Record<string, never>; sampling?: Record<string, never> } = { elicitation: {}, sampling: {} },
) {
  const seen: Answers = { elicited: [], sampled: [] };
  const c = await connectStreamable(gw.url, KEY, capabilities);
  if (capabilities.elicitation) {
    c.client.setRequestHandler(ElicitRequestSchema, (r) => {
      seen.elicited.push(r.params.message);
      return { action: 'accept', content: { ok } };
    });
  }
  if (capabilities.sampling) {
    c.client.setRequestHandler(CreateMessageRequestSchema, (r) => {
      seen.sampled.push(JSON.stringify(r.params.messages[0]?.content));
      return { model: 'client-model', role: 'assistant', content: { type: 'text', text: 'short' } };
    });
  }
  return { ...c, seen, call: (name: string, args: Record<string, unknown>) => c.client.callTool({ name, arguments: args }) };
}

/** A 2026-07-28 client (2.x SDK) answering the same way. */
async function modernClient(ok: boolean, capabilities: Record<string, unknown> = { elicitation: { form: {} }, sampling: {} }) {
  const seen: Answers = { elicited: [], sampled: [] };
  const c = await connectModern(gw.url, KEY, { capabilities });
  if (capabilities.elicitation) {
    c.client.setRequestHandler('elicitation/create', (r) => {
      seen.elicited.push(r.params.message);
      return { action: 'accept', content: { ok } };
    });
  }
  if (capabilities.sampling) {
    c.client.setRequestHandler('sampling/createMessage', (r) => {
      seen.sampled.push(JSON.stringify(r.params.messages[0]?.content));
      return { model: 'client-model', role: 'assistant', content: { type: 'text', text: 'short' } };
    });
  }
  return { ...c, seen, call: (name: string, args: Record<string, unknown>) => c.client.callTool({ name, arguments: args }) };
}

const clients = [
  ['a 2025 client', legacyClient],
  ['a 2026-07-28 client', modernClient],
] as const;

for (const server of ['fx', 'm'] as const) {
  const upstream = server === 'fx' ? '2025 upstream' : '2026-07-28 upstream';
  for (const [who, connect] of clients) {
    describe(`${upstream}, ${who}`, () => {
      test('elicitation is relayed to the calling client and its answer back to the tool', async () => {
        const agent = await connect(true);
        try {
          const result = await agent.call(`${server}__confirm`, { action: 'deploy' });
          assert.equal(textOf(result), 'accept:{"ok":true}');
          assert.deepEqual(agent.seen.elicited, ['Confirm deploy?']);
        } finally {
          await agent.close();
        }
      });

      test('sampling is relayed the same way', async () => {
        const agent = await connect(true);
        try {
          const result = await agent.call(`${server}__summarize`, { topic: 'the plan' });
          assert.equal(textOf(result), 'client-model: short');
          assert.deepEqual(agent.seen.sampled, [JSON.stringify({ type: 'text', text: 'Summarize the plan' })]);
        } finally {
          await agent.close();
        }
      });

      test('a client that did not declare elicitation gets a tool result saying the tool needs it, recorded as such', async () => {
        const agent = await connect(true, {} as never);
        try {
          const result = await agent.call(`${server}__confirm`, { action: 'drop' });
          assert.equal(result.isError, true);
          assert.equal(reasonOf(result), 'elicitation_required');
          assert.match(
            textOf(result),
            new RegExp(
              `tool ${server}__confirm asked for user input \\(elicitation\\), and the MCP client of this /mcp (session|request) did not declare the elicitation capability`,
            ),
          );
          const [row] = await gw.query<{ status: string; reason: string }>(
            `select status, reason from tool_calls where name = '${server}__confirm' order by id desc limit 1`,
          );
          assert.deepEqual(row, { status: 'error', reason: 'elicitation_required' });
        } finally {
          await agent.close();
        }
      });
    });
  }
}

describe('binding', () => {
  test('two sessions calling the same eliciting tool at once each answer their own call', async () => {
    const [yes, no] = await Promise.all([legacyClient(true), legacyClient(false)]);
    try {
      const [a, b] = await Promise.all([yes.call('fx__confirm', { action: 'a' }), no.call('fx__confirm', { action: 'b' })]);
      assert.equal(textOf(a), 'accept:{"ok":true}');
      assert.equal(textOf(b), 'accept:{"ok":false}');
      assert.deepEqual(yes.seen.elicited, ['Confirm a?']);
      assert.deepEqual(no.seen.elicited, ['Confirm b?']);
    } finally {
      await Promise.all([yes.close(), no.close()]);
    }
  });

  test('a 2026-07-28 client that never answers: the call is cancelled upstream after inputTimeoutMs, and recorded', async () => {
    const c = await connectModern(gw.url, KEY, { capabilities: { elicitation: { form: {} } }, inputRequired: { autoFulfill: false } });
    try {
      // Without auto-fulfilment the client gets the input_required round and stops there.
      await assert.rejects(c.client.callTool({ name: 'fx__confirm', arguments: { action: 'ignored' } }));
      assert.equal(gw.gateway.mcpEndpoint.pending.size, 1);
      const row = await waitFor(
        async () =>
          (
            await gw.query<{ status: string; reason: string }>(
              "select status, reason from tool_calls where name = 'fx__confirm' order by id desc limit 1",
            )
          ).find((r) => r.reason === 'elicitation_required'),
        10_000,
        'the abandoned call to be recorded',
      );
      assert.match(JSON.stringify(row), /elicitation_required/);
      assert.equal(gw.gateway.mcpEndpoint.pending.size, 0);
    } finally {
      await c.close();
    }
  });
});

describe('logs, progress and cancellation', () => {
  test('a 2025 session gets the call’s log messages at the level it set, and its progress', async () => {
    const agent = await legacyClient(true);
    const logs: string[] = [];
    agent.client.setNotificationHandler(
      LoggingMessageNotificationSchema,
      (n) => void logs.push(`${n.params.level}:${String(n.params.data)}`),
    );
    try {
      await agent.client.setLoggingLevel('info');
      const progress: number[] = [];
      const result = await agent.client.callTool({ name: 'fx__progress', arguments: { steps: 2 } }, undefined, {
        onprogress: (p) => progress.push(p.progress),
      });
      assert.equal(textOf(result), 'done in 2 steps');
      assert.deepEqual(progress, [1, 2]);
      assert.deepEqual(logs, ['info:step 1', 'info:step 2']);
      logs.length = 0;
      await agent.client.setLoggingLevel('error');
      await agent.call('fx__chatty', {});
      assert.deepEqual(logs, ['error:error line'], 'below the session level: filtered');
    } finally {
      await agent.close();
    }
  });

  for (const server of ['fx', 'm'] as const) {
    test(`a 2026-07-28 request gets log messages only when it names a level, and its progress (${server})`, async () => {
      const agent = await modernClient(true);
      const logs: string[] = [];
      agent.client.setNotificationHandler('notifications/message', (n) => void logs.push(`${n.params.level}:${String(n.params.data)}`));
      try {
        const progress: number[] = [];
        const args = { name: `${server}__progress`, arguments: { steps: 2 } };
        await agent.client.callTool(args, { onprogress: (p) => progress.push(p.progress) });
        assert.deepEqual(progress, [1, 2]);
        assert.deepEqual(logs, [], 'no logLevel: no log messages');
        await agent.client.callTool({ ...args, _meta: { 'io.modelcontextprotocol/logLevel': 'info' } });
        assert.deepEqual(logs, ['info:step 1', 'info:step 2']);
        if (server === 'm')
          assert.equal(modernUpstream.logLevels.at(-1), 'info', 'the level was asked of the 2026-07-28 upstream per request');
      } finally {
        await agent.close();
      }
    });
  }

  test('cancelling a call cancels it upstream and records it as cancelled', async () => {
    const agent = await legacyClient(true);
    try {
      const controller = new AbortController();
      const call = agent.client.callTool({ name: 'fx__slow', arguments: { ms: 30_000 } }, undefined, { signal: controller.signal });
      await waitFor(() => legacyUpstream.calls.includes('slow'), 5_000, 'the call to reach the server');
      controller.abort();
      await assert.rejects(call);
      await waitFor(() => legacyUpstream.cancelled.includes('slow'), 5_000, 'the upstream server to see the call cancelled');
      const row = await waitFor(
        async () =>
          (
            await gw.query<{ status: string; latency_ms: number }>(
              "select status, latency_ms from tool_calls where name = 'fx__slow' order by id desc limit 1",
            )
          )[0],
        5_000,
        'the cancelled call to be recorded',
      );
      assert.equal(row?.status, 'cancelled');
      assert.ok((row?.latency_ms ?? Infinity) < 30_000);
    } finally {
      await agent.close();
    }
  });
});

describe('the chat loop', () => {
  test('a tool that needs elicitation returns a tool result that says so', async () => {
    mock.enqueue({ kind: 'tool_calls', calls: [{ name: 'fx__confirm', arguments: { action: 'ship' } }] });
    mock.fallback = (body) => ({ kind: 'text', text: String(toolResultsOf(body)[0]?.content) });
    const client = new OpenAI({ apiKey: KEY, baseURL: gw.baseURL, maxRetries: 0 });
    const res = await client.chat.completions.create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'ship it' }] });
    const said = JSON.parse(res.choices[0]?.message.content ?? '{}') as { error?: { reason: string; message: string } };
    assert.equal(said.error?.reason, 'elicitation_required');
    assert.match(
      said.error?.message ?? '',
      /asked for user input \(elicitation\), and this call came from a model through the LLM API, which cannot answer elicitation requests/,
    );
  });
});
