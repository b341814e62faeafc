import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createMetrics } from './create-metrics.js';

const base = { configuredModels: ['openai/gpt-4o-mini', 'llama3'], configuredProviders: ['openai', 'local'], processMetrics: false };

const line = (text: string, prefix: string) => text.split('\n').find((l) => l.startsWith(prefix));

describe('createMetrics', () => {
  test('chat requests: configured models keep their name, others collapse to "other"', async () => {
    const m = createMetrics(base);
    m.chatRequest({ surface: 'chat', provider: 'openai', model: 'gpt-4o-mini', status: 200, stream: false }, 0.2);
    m.chatRequest({ surface: 'chat', provider: 'openai', model: 'made-up-1', status: 200, stream: false }, 0.2);
    m.chatRequest({ surface: 'chat', provider: 'openai', model: 'made-up-2', status: 200, stream: false }, 0.2);
    m.chatRequest({ surface: 'chat', provider: 'local', model: 'llama3', status: 502, stream: true }, 1);
    m.chatRequest({ surface: 'chat', provider: 'evil', model: 'x', status: 200, stream: false }, 1);
    const text = await m.render();
    assert.match(
      text,
      /tollgate_requests_total\{route="\/v1\/chat\/completions",provider="openai",model="gpt-4o-mini",status="200",stream="false"\} 1/,
    );
    assert.match(text, /tollgate_requests_total\{[^}]*provider="openai",model="other",status="200"[^}]*\} 2/);
    assert.match(text, /tollgate_requests_total\{[^}]*provider="local",model="llama3",status="502",stream="true"\} 1/);
    assert.match(text, /tollgate_requests_total\{[^}]*provider="other",model="other"[^}]*\} 1/);
    assert.ok(!text.includes('made-up'));
  });

  test("each request counts under its surface's route", async () => {
    const m = createMetrics(base);
    m.chatRequest({ surface: 'chat', provider: 'openai', model: 'gpt-4o-mini', status: 200, stream: false }, 0.2);
    m.chatRequest({ surface: 'messages', provider: 'openai', model: 'gpt-4o-mini', status: 200, stream: false }, 0.2);
    m.chatRequest({ surface: 'messages', provider: 'openai', model: 'gpt-4o-mini', status: 200, stream: false }, 0.2);
    m.chatRequest({ surface: 'responses', provider: 'openai', model: 'gpt-4o-mini', status: 200, stream: true }, 0.2);
    const text = await m.render();
    assert.match(
      text,
      /tollgate_requests_total\{route="\/v1\/chat\/completions",provider="openai",model="gpt-4o-mini",status="200",stream="false"\} 1/,
    );
    assert.match(
      text,
      /tollgate_requests_total\{route="\/v1\/messages",provider="openai",model="gpt-4o-mini",status="200",stream="false"\} 2/,
    );
    assert.match(
      text,
      /tollgate_requests_total\{route="\/v1\/responses",provider="openai",model="gpt-4o-mini",status="200",stream="true"\} 1/,
    );
    assert.match(
      text,
      /tollgate_request_duration_seconds_count\{route="\/v1\/messages",provider="openai",model="gpt-4o-mini",stream="false"\} 2/,
    );
  });

  test('tool calls: known tools by server/tool, unknown ones as other', async () => {
    const m = createMetrics({ ...base, toolInfo: (n) => (n === 'docs__search' ? { server: 'docs', tool: 'search' } : undefined) });
    m.toolCall({ name: 'docs__search', status: 'ok', decision: 'allowed' }, 0.01);
    m.toolCall({ name: 'random__thing', status: 'denied', decision: 'denied' }, 0);
    const text = await m.render();
    assert.match(text, /tollgate_tool_calls_total\{server="docs",tool="search",outcome="ok",decision="allowed"\} 1/);
    assert.match(text, /tollgate_tool_calls_total\{server="other",tool="other",outcome="denied",decision="denied"\} 1/);
    assert.match(text, /tollgate_tool_call_duration_seconds_count\{server="docs",tool="search"\} 1/);
  });

  test('rejections, llm attempts and http requests use bounded labels', async () => {
    const m = createMetrics(base);
    m.rejection('budget', 'team');
    m.rejection('rate_limit', 'someone@example.com');
    m.llmAttempt({ provider: 'openai', model: 'gpt-4o-mini', status: 0, errorType: 'upstream_stream_truncated' }, 1);
    // The type says ErrorKind; a value from outside it (a future caller's free text) still cannot make a series.
    m.llmAttempt({ provider: 'openai', model: 'gpt-4o-mini', status: 0, errorType: 'a free text error' as never }, 3);
    m.httpRequest('/api/virtual-keys/:id', 'GET', 404, 0.001);
    m.httpRequest('*', 'BREW', 404, 0.001);
    const text = await m.render();
    assert.match(text, /tollgate_rejections_total\{kind="budget",level="team"\} 1/);
    assert.match(text, /tollgate_rejections_total\{kind="rate_limit",level="other"\} 1/);
    assert.match(text, /tollgate_llm_attempts_total\{provider="openai",model="gpt-4o-mini",status="0",error_type="other"\} 1/);
    assert.match(
      text,
      /tollgate_llm_attempts_total\{provider="openai",model="gpt-4o-mini",status="0",error_type="upstream_stream_truncated"\} 1/,
    );
    assert.match(text, /tollgate_http_requests_total\{route="\/api\/virtual-keys\/:id",method="GET",status="404"\} 1/);
    assert.match(text, /tollgate_http_requests_total\{route="unmatched",method="other",status="404"\} 1/);
  });

  test('ledger and MCP gauges are read at scrape time', async () => {
    let depth = 3;
    let servers = [
      { name: 'everything', state: 'connected', tools: 12 },
      { name: 'docs', state: 'failed', tools: 0 },
    ];
    const m = createMetrics({ ...base, ledgerDepth: () => depth, mcpStatus: () => servers });
    m.ledgerFlush(40, 2.5);
    let text = await m.render();
    assert.equal(line(text, 'tollgate_ledger_queue_depth '), 'tollgate_ledger_queue_depth 3');
    assert.equal(line(text, 'tollgate_mcp_server_up{server="everything"}'), 'tollgate_mcp_server_up{server="everything"} 1');
    assert.equal(line(text, 'tollgate_mcp_server_up{server="docs"}'), 'tollgate_mcp_server_up{server="docs"} 0');
    assert.equal(line(text, 'tollgate_mcp_server_tools{server="everything"}'), 'tollgate_mcp_server_tools{server="everything"} 12');
    assert.equal(line(text, 'tollgate_ledger_rows_written_total '), 'tollgate_ledger_rows_written_total 40');
    assert.equal(line(text, 'tollgate_ledger_flush_duration_seconds_count '), 'tollgate_ledger_flush_duration_seconds_count 1');
    depth = 0;
    servers = [{ name: 'everything', state: 'failed', tools: 0 }];
    text = await m.render();
    assert.equal(line(text, 'tollgate_ledger_queue_depth '), 'tollgate_ledger_queue_depth 0');
    assert.equal(line(text, 'tollgate_mcp_server_up{server="everything"}'), 'tollgate_mcp_server_up{server="everything"} 0');
    assert.equal(line(text, 'tollgate_mcp_server_up{server="docs"}'), undefined);
  });

  test('calls waiting their turn at an MCP server with maxCallsInFlight: one gauge per such server', async () => {
    const servers = [
      { name: 'one-at-a-time', state: 'connected', tools: 1, queued: 2 },
      { name: 'unbounded', state: 'connected', tools: 1 },
    ];
    const text = await createMetrics({ ...base, mcpStatus: () => servers }).render();
    assert.equal(line(text, 'tollgate_mcp_calls_queued{server="one-at-a-time"}'), 'tollgate_mcp_calls_queued{server="one-at-a-time"} 2');
    assert.equal(line(text, 'tollgate_mcp_calls_queued{server="unbounded"}'), undefined);
  });

  test('each instance has its own registry; every name is prefixed', async () => {
    const a = createMetrics({ ...base, processMetrics: true });
    const b = createMetrics({ ...base, processMetrics: true });
    a.rejection('budget', 'key');
    assert.match(await a.render(), /tollgate_rejections_total\{kind="budget",level="key"\} 1/);
    const text = await b.render();
    assert.ok(!/tollgate_rejections_total\{/.test(text));
    const names = text
      .split('\n')
      .filter((l) => l && !l.startsWith('#'))
      .map((l) => l.split(/[{ ]/)[0]!);
    assert.ok(names.length > 10);
    for (const n of names) assert.ok(n.startsWith('tollgate_'), n);
  });
});
