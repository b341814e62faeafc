// One key must not make other keys wait at an MCP server they share (README, Guarantees:
// Isolation). maxToolCallsInFlightPerKey bounds a key's calls (tool-calls-in-flight.test.ts), but a
// server that runs one call at a time served what it was sent in arrival order: another key's call
// waited behind every call the key had sent. With `maxCallsInFlight` on the server, the gateway
// sends at most that many at once and queues the rest, taking turns across keys
// (mcp/fair-queue.ts): another key's call goes after the calls running, not after the whole burst.
// The wait counts against the call's deadline, and a call cancelled while queued is never sent.
// Turns go across teams first (a key without a team is its own), then across a team's keys: a team
// does not get a turn per key.
//
// Before (the queue turned off, the server itself running one call at a time): the hog's 8 calls
// all reached the server first and the other two keys' calls arrived 9th and 10th; a call that
// should have waited went straight out, so nothing timed out or stayed queued. Before turns went
// across teams (fair across keys only): the flooding team's six keys each went ahead of the other
// team's call and of the key without a team, which arrived 7th and 8th of 14.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { startStack, type Stack } from '../helpers/stack.js';
import type { McpHttpServer } from '../fixtures/mcp-http-server.js';
import { waitFor } from '../helpers/wait-for.js';
import { connectStreamable, reasonOf, textOf, type Connected } from '../../mcp/server/testing.js';

const HOG = 'vk-fair-queue-hog-0001';
const OTHER = 'vk-fair-queue-other001';
const THIRD = 'vk-fair-queue-third001';
/** Team `flood`'s keys, and team `lone`'s one key. */
const FLOOD = Array.from({ length: 6 }, (_, i) => `vk-fair-queue-flood-0${i}`);
const LONE = 'vk-fair-queue-lone-001';
/** How long the server takes per call of `queue`, one call at a time. */
const SLOW_MS = 200;
/** callTimeoutMs of server `tight`. */
const TIGHT_MS = 1_000;

let stack: Stack & { fixture: McpHttpServer };
/** Who reached the server, in order. */
const arrived: string[] = [];
let atServer = 0;
let mostAtServer = 0;
/** When set, the next call to reach the server also waits for it (then it is cleared). */
let hold: Promise<void> | undefined;

before(async () => {
  stack = await startStack({
    mcp: { fixture: { full: true } },
    config: ({ fixture }) => {
      // Before the gateway connects, so it lists the tool at once. One call at a time, as a stdio server runs them.
      let previous: Promise<void> = Promise.resolve();
      fixture!.setTool('queue', {
        description: 'Answers after SLOW_MS, one call at a time',
        inputSchema: { who: z.string() },
        handler: async (args) => {
          arrived.push(String(args.who));
          mostAtServer = Math.max(mostAtServer, ++atServer);
          const held = hold;
          hold = undefined;
          const mine = previous.then(() => held).then(() => new Promise<void>((r) => setTimeout(r, SLOW_MS)));
          previous = mine;
          await mine;
          atServer--;
          return { content: [{ type: 'text', text: `done ${String(args.who)}` }] };
        },
      });
      const server = (callTimeoutMs: number) => ({ transport: 'http', url: fixture!.url, callTimeoutMs, maxCallsInFlight: 1, pin: 'off' });
      return {
        mcpServers: { fix: server(60_000), tight: server(TIGHT_MS) },
        teams: [{ id: 'flood' }, { id: 'lone' }],
        virtualKeys: [
          ['hog', HOG],
          ['other', OTHER],
          ['third', THIRD],
          ...FLOOD.map((key, i) => [`flood-${i}`, key, 'flood']),
          ['lone', LONE, 'lone'],
        ].map(([id, key, team]) => ({
          id: id!,
          key: key!,
          ...(team ? { team } : {}),
          models: ['*'],
          tools: { allow: ['fix__*', 'tight__*'] },
        })),
      };
    },
  });
});
after(() => stack.stop());

const queued = (server: string) => stack.gw.gateway.mcp.status().find((s) => s.name === server)?.queued ?? 0;
const call = (s: Connected, name: string, who: string, signal?: AbortSignal) =>
  s.client.callTool({ name, arguments: { who } }, undefined, { timeout: 60_000, ...(signal ? { signal } : {}) });
const chat = (key: string, text: string) =>
  fetch(`${stack.gw.baseURL}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: text }] }),
  });

test("a key's burst at a server that runs one call at a time: other keys' calls go next, not after all of it", {
  timeout: 60_000,
}, async (t) => {
  const hog = await Promise.all([0, 1].map(() => connectStreamable(stack.gw.url, HOG)));
  const other = await connectStreamable(stack.gw.url, OTHER);
  // The hog's first call holds the server until the other keys' calls are in (queued, or at the server without the queue).
  let open!: () => void;
  hold = new Promise<void>((r) => (open = r));
  try {
    arrived.length = 0;
    mostAtServer = 0;
    // The hog: two calls in one chat turn and six over two /mcp sessions.
    stack.mock.enqueue({ kind: 'tool_calls', calls: [0, 1].map((i) => ({ name: 'fix__queue', arguments: { who: `hog-loop${i}` } })) });
    const loop = chat(HOG, 'hog the server');
    const viaMcp = Array.from({ length: 6 }, (_, i) => call(hog[i % 2]!, 'fix__queue', `hog-mcp${i}`));
    await waitFor(() => atServer + queued('fix') >= 8, 10_000, 'the hog’s 8 calls at the server or queued for it');
    // Then another key through the chat loop and one through /mcp.
    stack.mock.enqueue({ kind: 'tool_calls', calls: [{ name: 'fix__queue', arguments: { who: 'third' } }] });
    const third = chat(THIRD, 'one call');
    await waitFor(() => atServer + queued('fix') >= 9, 10_000, 'the third key’s call in');
    const otherCall = call(other, 'fix__queue', 'other');
    await waitFor(() => atServer + queued('fix') >= 10, 10_000, 'the other key’s call in');
    open();
    const mine = await otherCall;
    const answers = await Promise.all([third, loop]);
    const hogResults = await Promise.all(viaMcp);
    t.diagnostic(`order at the server: ${arrived.join(' ')}`);
    assert.equal(textOf(mine), 'done other');
    assert.deepEqual(
      answers.map((a) => a.status),
      [200, 200],
    );
    assert.deepEqual(
      hogResults.map((r) => reasonOf(r) ?? textOf(r)),
      hogResults.map((_, i) => `done hog-mcp${i}`),
    );
    assert.equal(mostAtServer, 1, 'one call sent at a time');
    // Behind the hog's call that was running (and each other), never behind its queued ones.
    for (const who of ['other', 'third'])
      assert.ok(arrived.indexOf(who) >= 1 && arrived.indexOf(who) <= 2, `${who} arrived ${arrived.indexOf(who) + 1}th`);
    assert.equal(arrived.length, 10);
  } finally {
    open();
    hold = undefined;
    await Promise.all([...hog, other].map((s) => s.close()));
  }
});

test("a team's many keys flooding a server: another team's one call, and a key without a team, go next, not after one call per key", {
  timeout: 60_000,
}, async (t) => {
  const flood = await Promise.all(FLOOD.slice(1).map((key) => connectStreamable(stack.gw.url, key)));
  const other = await connectStreamable(stack.gw.url, OTHER);
  // The flood's first call holds the server until everyone's calls are queued.
  let open!: () => void;
  hold = new Promise<void>((r) => (open = r));
  try {
    arrived.length = 0;
    mostAtServer = 0;
    // Team flood: two calls in one chat turn of its first key, two over /mcp from each of the other five.
    stack.mock.enqueue({ kind: 'tool_calls', calls: [0, 1].map((i) => ({ name: 'fix__queue', arguments: { who: `flood0-${i}` } })) });
    const loop = chat(FLOOD[0]!, 'flood the server');
    await waitFor(() => atServer === 1, 10_000, 'the first flood call at the server');
    const viaMcp = flood.flatMap((s, k) => [0, 1].map((i) => call(s, 'fix__queue', `flood${k + 1}-${i}`)));
    await waitFor(() => queued('fix') === 11, 10_000, 'the flood’s other 11 calls queued');
    // Then team lone's one key through the chat loop, and a key without a team through /mcp.
    stack.mock.enqueue({ kind: 'tool_calls', calls: [{ name: 'fix__queue', arguments: { who: 'lone' } }] });
    const lone = chat(LONE, 'one call');
    await waitFor(() => queued('fix') === 12, 10_000, 'the lone call queued');
    const otherCall = call(other, 'fix__queue', 'other');
    await waitFor(() => queued('fix') === 13, 10_000, 'the call of the key without a team queued');
    const started = performance.now();
    open();
    const mine = await otherCall;
    const waited = performance.now() - started;
    const answers = await Promise.all([lone, loop]);
    const floodResults = await Promise.all(viaMcp);
    t.diagnostic(`order at the server: ${arrived.join(' ')}; the key without a team waited ${Math.round(waited)} ms`);
    assert.equal(textOf(mine), 'done other');
    assert.deepEqual(
      answers.map((a) => a.status),
      [200, 200],
    );
    assert.deepEqual(
      floodResults.map((r) => reasonOf(r) ?? textOf(r)),
      floodResults.map((_, i) => `done flood${(i >> 1) + 1}-${i % 2}`),
    );
    assert.equal(mostAtServer, 1, 'one call sent at a time');
    assert.equal(arrived.length, 14);
    // Right behind the flood call that was running (and each other): the flood team's queued calls
    // are one tenant's, whatever its keys, never one turn per flood key.
    for (const who of ['lone', 'other'])
      assert.ok(arrived.indexOf(who) >= 1 && arrived.indexOf(who) <= 2, `${who} arrived ${arrived.indexOf(who) + 1}th`);
    // Within the team, its keys still take turns: each key's first call before any key's second.
    const flooded = arrived.filter((w) => w.startsWith('flood'));
    const firsts = flooded.slice(0, 6).map((w) => w.split('-')[0]);
    assert.deepEqual(new Set(firsts).size, 6, `flood order ${flooded.join(' ')}`);
  } finally {
    open();
    hold = undefined;
    await Promise.all([...flood, other].map((s) => s.close()));
  }
});

test('a queued call waits on its own deadline: at callTimeoutMs it times out, never sent; cancelled, it leaves at once; prompts and resources queue too', {
  timeout: 60_000,
}, async () => {
  // The hog's call asks its client for input and the client takes its time: the call's deadline
  // stops meanwhile (README: a user filling in a form is not the tool being slow), so it holds
  // `tight`'s one slot past TIGHT_MS.
  const hog = await connectStreamable(stack.gw.url, HOG, { elicitation: {} });
  let answer!: () => void;
  const answered = new Promise<void>((r) => (answer = r));
  let asked = 0;
  hog.client.setRequestHandler(ElicitRequestSchema, async () => {
    asked++;
    await answered;
    return { action: 'accept', content: { ok: true } };
  });
  const other = await connectStreamable(stack.gw.url, OTHER);
  try {
    arrived.length = 0;
    const holding = hog.client.callTool({ name: 'tight__confirm', arguments: { action: 'hold' } }, undefined, { timeout: 60_000 });
    await waitFor(() => asked === 1, 10_000, 'the hog’s call asking its client');

    const late = await call(other, 'tight__queue', 'late');
    assert.equal(reasonOf(late), 'tool_timeout', textOf(late));
    assert.match(textOf(late), /waited 1000 ms for its turn at the server \(maxCallsInFlight 1\) and was not sent/);

    const ctl = new AbortController();
    const gone = call(other, 'tight__queue', 'gone', ctl.signal);
    await waitFor(() => queued('tight') === 1, 10_000, 'the call queued');
    ctl.abort();
    await assert.rejects(gone);
    await waitFor(() => queued('tight') === 0, 2_000, 'the cancelled call out of the queue');

    // A resource read and a prompt get take their turn like tool calls.
    const read = other.client.readResource({ uri: 'tight+fx://docs/readme' });
    const prompt = other.client.getPrompt({ name: 'tight__greet', arguments: { name: 'Ada' } });
    await waitFor(() => queued('tight') === 2, 10_000, 'the read and the prompt get queued');
    answer();
    assert.equal(textOf(await holding), 'accept:{"ok":true}');
    assert.equal((await read).contents.length, 1);
    assert.ok((await prompt).messages.length > 0);

    assert.equal(textOf(await call(other, 'tight__queue', 'after')), 'done after');
    assert.deepEqual(arrived, ['after'], 'the timed-out and the cancelled call never reached the server');
    const rows = await stack.gw.query<{ status: string; latency_ms: number; error: string | null }>(
      "SELECT status, latency_ms, error FROM tool_calls WHERE key_id = 'other' AND server = 'tight' AND tool = 'queue' ORDER BY id",
    );
    assert.deepEqual(
      rows.map((r) => r.status),
      ['timeout', 'cancelled', 'ok'],
    );
    // The time it waited is in the row: its deadline, all of it spent in the queue.
    assert.ok(rows[0]!.latency_ms >= TIGHT_MS - 10, `${rows[0]!.latency_ms} ms recorded`);
    assert.match(rows[0]!.error ?? '', /for its turn at the server .* was not sent/);
  } finally {
    answer();
    await Promise.all([hog, other].map((s) => s.close()));
  }
});
