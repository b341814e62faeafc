// The /mcp endpoint's background failures are logged as what they are. Before, every one (a failed
// ledger write of a prompt or resource use, an event-bus listener, the SDK's onerror) was logged at
// warn as 'mcp endpoint notification failed', which sent an operator looking at notifications.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EndpointFailure } from '../mcp/server/index.js';
import { logEndpointFailure } from '../src/gateway/mcp-endpoint.js';
import { bareEndpoint, sdkSession } from './helpers/mcp-bare-endpoint.js';

/** A logger that keeps each line as 'level message {fields}'. */
function capture(): { lines: string[]; logger: Parameters<typeof logEndpointFailure>[0] } {
  const lines: string[] = [];
  const line = (level: string) => (obj: object | string, msg?: string) => void lines.push(`${level} ${msg} ${JSON.stringify(obj)}`);
  return { lines, logger: { info: line('info'), warn: line('warn'), error: line('error') } };
}

test('each background failure has its own message and level; only a notification says notification', () => {
  const { lines, logger } = capture();
  const log = logEndpointFailure(logger);
  const failures: EndpointFailure[] = [
    { kind: 'notification' },
    { kind: 'offer_use_record', keyId: 'k1' },
    { kind: 'unsubscribe', uri: 'fx://doc' },
    { kind: 'event_bus' },
    { kind: 'sdk' },
  ];
  for (const failure of failures) log(new Error('boom'), failure);
  assert.deepEqual(lines, [
    'warn mcp endpoint notification failed {"err":"boom"}',
    'error mcp endpoint could not record a prompt or resource use {"err":"boom","keyId":"k1"}',
    `warn mcp endpoint could not unsubscribe upstream from a closed session's resource {"err":"boom","uri":"fx://doc"}`,
    'error mcp endpoint event bus listener failed {"err":"boom"}',
    'warn mcp endpoint: the MCP SDK reported an error or rejected a request {"err":"boom"}',
  ]);
});

test("a prompt use whose ledger write fails is reported as that, with the key's id, not as a notification", async () => {
  const reported: { err: string; failure: EndpointFailure }[] = [];
  const failing = {
    request: () => undefined,
    llmCall: () => undefined,
    toolCall: () => Promise.reject(new Error('ledger away')),
    payload: () => undefined,
  };
  const { app, endpoint } = bareEndpoint(
    undefined,
    {},
    {
      ledger: failing,
      onError: (err, failure) => void reported.push({ err: err.message, failure }),
    },
  );
  const { client } = await sdkSession(app, 'k1');
  try {
    await assert.rejects(client.getPrompt({ name: 'fx__nope' }), /Unknown prompt/);
    assert.deepEqual(reported, [{ err: 'ledger away', failure: { kind: 'offer_use_record', keyId: 'k1' } }]);
  } finally {
    await client.close();
    await endpoint.close();
  }
});
