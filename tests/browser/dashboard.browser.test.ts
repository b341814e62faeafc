// The dashboard in real headless Chromium (Debian `chromium`, driven by playwright-core): log in,
// find the request this test just made (one MCP tool call through the reference "everything"
// server), open its trace, see the tool call, filter by key. Screenshots go to test-artifacts/.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import OpenAI from 'openai';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startMockUpstream, type MockUpstream } from '../mock-upstream/server.js';
import { mockProviders, startGateway, type TestGateway } from '../helpers/gateway.js';

const CHROMIUM = '/usr/bin/chromium';
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const ARTIFACTS = join(ROOT, 'test-artifacts');
const EVERYTHING = join(ROOT, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js');
const ADMIN = 'admin-token-browser-test';
const VK_TOOLS = 'vk-browser-tools-0001';
const VK_PLAIN = 'vk-browser-plain-0001';
const skip = existsSync(CHROMIUM)
  ? false
  : `Chromium not found at ${CHROMIUM}: install it with \`apt-get install -y chromium\` (CI's .ci/run does)`;

let mock: MockUpstream;
let gw: TestGateway;
let browser: Browser;
let page: Page;
let toolRequestId: string;
let plainRequestId: string;

describe('dashboard in headless Chromium', { skip }, () => {
  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    mock = await startMockUpstream();
    gw = await startGateway({
      adminToken: ADMIN,
      config: {
        providers: mockProviders(mock),
        mcpServers: { everything: { transport: 'stdio', command: process.execPath, args: [EVERYTHING, 'stdio'] } },
        virtualKeys: [
          { id: 'agent-with-tools', key: VK_TOOLS, team: 'eng', models: ['openai/*'], tools: { allow: ['everything__*'] } },
          { id: 'plain-app', key: VK_PLAIN, team: 'eng', models: ['openai/*'] },
        ],
        teams: [{ id: 'eng' }],
        ledger: { payloads: true },
      },
    });
    const withTools = new OpenAI({ apiKey: VK_TOOLS, baseURL: gw.baseURL, maxRetries: 0 });
    mock.enqueue(
      {
        kind: 'tool_calls',
        calls: [{ id: 'call_echo_1', name: 'everything__echo', arguments: { message: 'hi' } }],
        usage: { input: 30, output: 8 },
      },
      { kind: 'text', text: 'The echo said hi.', usage: { input: 50, output: 6 } },
    );
    const a = await withTools.chat.completions
      .create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'echo hi please' }] })
      .withResponse();
    assert.equal(a.data.choices[0]!.message.content, 'The echo said hi.');
    toolRequestId = a.response.headers.get('x-request-id')!;
    const plain = new OpenAI({ apiKey: VK_PLAIN, baseURL: gw.baseURL, maxRetries: 0 });
    const b = await plain.chat.completions
      .create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'no tools' }] })
      .withResponse();
    plainRequestId = b.response.headers.get('x-request-id')!;
    await gw.gateway.ledger.flush();

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
  });

  after(async () => {
    await browser?.close();
    await gw?.close();
    await mock?.close();
  });

  test('log in and see the request just made', async () => {
    const res = await page.goto(`${gw.url}/logs`);
    assert.equal(res?.status(), 401);
    await page.fill('input[name=token]', ADMIN);
    await Promise.all([page.waitForURL(`${gw.url}/logs`), page.click('button[type=submit]')]);
    const row = page.locator(`tr[data-request-id="${toolRequestId}"]`);
    assert.equal(await row.count(), 1);
    const cells = await row.locator('td').allInnerTexts();
    assert.equal(cells[1], 'agent-with-tools');
    assert.equal(cells[2], 'openai/gpt-4o-mini');
    assert.equal(cells[3], '2', 'two LLM rounds');
    assert.equal(cells[4], '1', 'one tool call');
    assert.equal(await page.locator(`tr[data-request-id="${plainRequestId}"]`).count(), 1);
    const cookies = await page.context().cookies();
    const session = cookies.find((c) => c.name === 'tollgate_session');
    assert.ok(session?.httpOnly && session.sameSite === 'Strict');
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-requests.png'), fullPage: true });
  });

  test('open the trace and see its tool call', async () => {
    await Promise.all([page.waitForURL(`**/logs/requests/${toolRequestId}`), page.click(`tr[data-request-id="${toolRequestId}"] a`)]);
    const timeline = page.locator('#timeline');
    assert.equal(await timeline.locator('> li').count(), 2, 'two rounds');
    const tool = timeline.locator('li.tool[data-tool="everything__echo"]');
    assert.equal(await tool.count(), 1);
    const text = await tool.innerText();
    assert.match(text, /everything \/ echo/);
    assert.match(text, /decision allowed/);
    assert.match(text, /status ok/);
    await tool.locator('summary', { hasText: 'arguments' }).click();
    await tool.locator('summary', { hasText: 'result' }).click();
    assert.match(await tool.locator('pre').first().innerText(), /"message": "hi"/);
    assert.match(await tool.locator('pre').nth(1).innerText(), /hi/);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-trace.png'), fullPage: true });
  });

  test('filter by key', async () => {
    await page.goto(`${gw.url}/logs`);
    await page.fill('input[name=key]', 'plain-app');
    await Promise.all([page.waitForURL(/key=plain-app/), page.click('form.filters button[type=submit]')]);
    assert.equal(await page.locator(`tr[data-request-id="${plainRequestId}"]`).count(), 1);
    assert.equal(await page.locator(`tr[data-request-id="${toolRequestId}"]`).count(), 0);
    assert.equal(await page.inputValue('input[name=key]'), 'plain-app');
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-filtered.png'), fullPage: true });
  });

  test('usage and MCP pages', async () => {
    await page.goto(`${gw.url}/logs/usage`);
    assert.match(await page.locator('#by-tool').innerText(), /everything__echo/);
    assert.match(await page.locator('#by-key').innerText(), /agent-with-tools/);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-usage.png'), fullPage: true });
    await page.goto(`${gw.url}/logs/mcp`);
    assert.match(await page.locator('[data-server="everything"] h2').innerText(), /everything · connected/);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-mcp.png'), fullPage: true });
  });

  test('log out ends the session', async () => {
    await Promise.all([page.waitForURL(`${gw.url}/logs`), page.click('header button[type=submit]')]);
    assert.equal(await page.locator('input[name=token]').count(), 1);
    const res = await page.goto(`${gw.url}/logs/usage`);
    assert.equal(res?.status(), 401);
  });
});
