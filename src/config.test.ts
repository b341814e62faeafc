import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, interpolate, parseConfig } from './config.js';

const parse = (value: unknown, env: Record<string, string> = {}) => parseConfig(JSON.stringify(value), 'test.json', env);
const failure = (value: unknown, env: Record<string, string> = {}) => {
  try {
    parse(value, env);
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.message;
  }
  return assert.fail('expected a ConfigError');
};

describe('config', () => {
  test('${VAR} is replaced in every string, and unset variables are reported', () => {
    const missing = new Set<string>();
    assert.deepEqual(interpolate({ a: ['x-${A}-${B}'], n: 1 }, { A: '1' }, missing), { a: ['x-1-'], n: 1 });
    assert.deepEqual([...missing], ['B']);
  });

  test('defaults fill an empty file', () => {
    const { config } = parse({});
    assert.equal(config.requireVirtualKey, true);
    assert.equal(config.maxBodyBytes, 4 * 1024 * 1024);
    assert.equal(config.ledger.payloads, false);
    assert.equal(config.loop.maxRounds, 10);
    assert.deepEqual(config.server, { requestTimeoutMs: 60_000, headersTimeoutMs: 20_000, maxConnections: 4096 });
  });

  test('errors name the file and the field', () => {
    assert.match(
      failure({ providers: { openai: { type: 'openai', baseUrl: 'not a url' } } }),
      /test\.json[\s\S]*providers\.openai\.baseUrl/,
    );
    assert.match(failure({ virtualKeys: [{ id: 'k', key: 'short' }] }), /virtualKeys\.0\.key: virtual keys are at least 8 characters/);
    assert.match(failure({ mcpServers: { 'Bad Name': { transport: 'stdio', command: 'x' } } }), /mcpServers\.Bad Name/);
    assert.match(failure({ unknownField: 1 }), /unknownField/);
    assert.match(
      failure({ mcpEndpoint: { maxSessions: 100, maxSessionsPerTeam: 101 } }),
      /mcpEndpoint\.maxSessionsPerTeam: maxSessionsPerTeam must be at most maxSessions/,
    );
    // Node refuses a server whose headers timeout exceeds its request timeout: said at load, not at listen.
    assert.match(
      failure({ server: { requestTimeoutMs: 1000, headersTimeoutMs: 2000 } }),
      /server\.headersTimeoutMs: headersTimeoutMs must not exceed requestTimeoutMs/,
    );
    assert.match(failure('{'.repeat(1) as unknown), /expected a JSON object/);
  });

  test('a baseUrl may carry a query, not a fragment (the path would go after the #, never sent)', () => {
    const base = (baseUrl: string) => ({ providers: { az: { type: 'openai', baseUrl } } });
    assert.equal(
      parse(base('https://r.openai.azure.com/openai/v1?api-version=preview')).config.providers.az!.baseUrl,
      'https://r.openai.azure.com/openai/v1?api-version=preview',
    );
    assert.match(failure(base('https://x.test/v1#frag')), /providers\.az\.baseUrl: a baseUrl cannot carry a fragment/);
  });

  test('a duration longer than a timer can wait is refused naming the field (Node would fire it after 1 ms)', () => {
    const tooLong = 2 ** 31;
    const server = (ms: number) => ({ mcpServers: { fs: { transport: 'stdio', command: 'x', callTimeoutMs: ms } } });
    assert.match(failure(server(tooLong)), /mcpServers\.fs\.callTimeoutMs: at most 2147483647 ms/);
    assert.equal(parse(server(tooLong - 1)).config.mcpServers.fs!.callTimeoutMs, tooLong - 1);
    assert.match(failure({ providers: { o: { type: 'openai', baseUrl: 'http://x', timeoutMs: tooLong } } }), /providers\.o\.timeoutMs/);
    assert.match(failure({ loop: { timeoutMs: tooLong } }), /loop\.timeoutMs/);
    assert.match(
      failure({ virtualKeys: [{ id: 'k', key: 'sk-12345678', loop: { timeoutMs: tooLong } }] }),
      /virtualKeys\.0\.loop\.timeoutMs/,
    );
    assert.match(failure({ ledger: { flushIntervalMs: tooLong } }), /ledger\.flushIntervalMs/);
    assert.match(failure({ mcpEndpoint: { sessionIdleMs: tooLong } }), /mcpEndpoint\.sessionIdleMs/);
  });

  test('invalid JSON says so', () => {
    assert.throws(() => parseConfig('{"providers": ', 'bad.json', {}), /bad\.json: not valid JSON/);
  });

  test('references between entries are checked', () => {
    assert.match(failure({ teams: [{ id: 'eng', customer: 'nope' }] }), /teams\.0\.customer: unknown customer "nope"/);
    assert.match(
      failure({ virtualKeys: [{ id: 'k', key: 'long-enough-1', team: 'ghost' }] }),
      /virtualKeys\.0\.team: unknown team "ghost"/,
    );
    assert.match(
      failure({
        virtualKeys: [
          { id: 'k', key: 'long-enough-1' },
          { id: 'k', key: 'long-enough-2' },
        ],
      }),
      /duplicate id "k"/,
    );
  });

  test('secrets from unset variables are dropped with a warning, so the example config starts without them', () => {
    const { config, warnings, providersMissingKeys } = parse({
      providers: { openai: { type: 'openai', baseUrl: 'https://api.openai.com/v1', keys: [{ value: '${OPENAI_API_KEY}' }] } },
      virtualKeys: [{ id: 'main', key: '${VK_MAIN}' }],
    });
    assert.deepEqual(config.providers.openai!.keys, []);
    assert.deepEqual(providersMissingKeys, { openai: ['OPENAI_API_KEY'] });
    assert.deepEqual(config.virtualKeys, []);
    assert.ok(warnings.some((w) => w.includes('virtual key main skipped')));
    const set = parse(
      { providers: { openai: { type: 'openai', baseUrl: 'https://x.test/v1', keys: [{ value: '${K}' }] } } },
      { K: 'sk-1' },
    );
    assert.deepEqual(set.config.providers.openai!.keys, [{ value: 'sk-1', weight: 1 }]);
    assert.deepEqual(set.providersMissingKeys, {});
  });

  test('an unset variable inside a longer value stops startup naming the field (not a guessable secret)', () => {
    const message = failure({ virtualKeys: [{ id: 'team', key: 'vk-team-${UNSET_PART}' }] });
    assert.match(message, /virtualKeys\.0\.key: variable UNSET_PART is not set, and the value has other text around it/);
    assert.match(
      failure({ mcpServers: { d: { transport: 'http', url: 'http://x/mcp', headers: { authorization: 'Bearer ${NO_TOKEN}' } } } }),
      /mcpServers\.d\.headers\.authorization/,
    );
    assert.equal(
      parse({ virtualKeys: [{ id: 'team', key: 'vk-team-${SET_PART}' }] }, { SET_PART: 'x1' }).config.virtualKeys[0]!.key,
      'vk-team-x1',
    );
  });

  test('${file:/path} reads a secret from a file (one trailing newline dropped); an unreadable file stops startup', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tollgate-config-'));
    try {
      writeFileSync(join(dir, 'vk'), 'vk-from-a-file-0001\n');
      const { config } = parse({ virtualKeys: [{ id: 'f', key: `\${file:${join(dir, 'vk')}}` }] });
      assert.equal(config.virtualKeys[0]!.key, 'vk-from-a-file-0001');
      assert.match(
        failure({ virtualKeys: [{ id: 'f', key: `\${file:${join(dir, 'missing')}}` }] }),
        /virtualKeys\.0\.key: cannot read .*: ENOENT/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
