// One request's trace: summary, then a timeline of LLM rounds (every attempt: retries and
// fallbacks too) with each round's tool calls under it. Payloads, when logged, sit in <details>.
import { Layout, StatusBadge } from './layout.js';
import { formatCost, formatInt, formatMs, formatTime, prettyJson } from './format.js';
import type { RequestDetailRow } from './request-queries.js';
import type { Trace, TraceTool } from './trace.js';

function Payload(props: { label: string; body: string | undefined }) {
  if (props.body === undefined) return null;
  return (
    <details>
      <summary>{props.label}</summary>
      <pre>{prettyJson(props.body)}</pre>
    </details>
  );
}

function ToolCall(props: { t: TraceTool }) {
  const t = props.t;
  const cls = t.decision === 'denied' ? 'tool denied' : t.status !== 'ok' ? 'tool failed' : 'tool';
  return (
    <li class={cls} data-tool={t.name}>
      <div>
        <strong>tool</strong> <span class="mono">{t.server}</span> / <span class="mono">{t.tool}</span>
        {' · '}decision <strong>{t.decision}</strong>
        {' · '}status <strong>{t.status}</strong>
        {t.reason && <span class="muted">{` (${t.reason})`}</span>}
        {' · '}
        {formatMs(t.latency_ms)}
        {t.cost_usd ? ` · ${formatCost(t.cost_usd)}` : ''}
      </div>
      {t.error && <div class="error">{t.error}</div>}
      <Payload label="arguments" body={t.args} />
      <Payload label="result" body={t.result} />
      {t.args === undefined && <div class="muted">arguments and result are not logged (ledger.payloads is off)</div>}
    </li>
  );
}

export function DetailPage(props: { r: RequestDetailRow; trace: Trace }) {
  const { r, trace } = props;
  const unknown = r.cost_usd === null || r.cost_unknown !== 0;
  return (
    <Layout title={`Request ${r.id}`} section="requests">
      <p>
        <a href="/logs">« all requests</a>
      </p>
      <h1>
        Request <span class="mono">{r.id}</span>
      </h1>
      <div class="card">
        <dl class="kv">
          <dt>Time (UTC)</dt>
          <dd>{formatTime(r.ts)}</dd>
          <dt>Status</dt>
          <dd>
            <StatusBadge status={r.status} /> {r.error_type ?? ''}
          </dd>
          <dt>Surface</dt>
          <dd>{`${r.surface}${r.operation === 'count_tokens' ? ' · count_tokens' : ''}${r.session_id ? ` · session ${r.session_id}` : ''}`}</dd>
          <dt>Key</dt>
          <dd>{r.key_id ?? '—'}</dd>
          <dt>Team / customer</dt>
          <dd>{`${r.team_id ?? '—'} / ${r.customer_id ?? '—'}`}</dd>
          <dt>Model</dt>
          <dd>{r.model ?? '—'}</dd>
          <dt>Upstream</dt>
          <dd>{`${r.provider ?? '—'} / ${r.upstream_model ?? '—'}${r.stream ? ' (stream)' : ''}`}</dd>
          <dt>Rounds / tool calls</dt>
          <dd>{`${r.rounds} / ${r.tool_calls}`}</dd>
          <dt>Tokens in / out</dt>
          <dd>{`${formatInt(r.prompt_tokens)} / ${formatInt(r.completion_tokens)}`}</dd>
          <dt>Cost</dt>
          <dd>{unknown ? <span class="unknown">{formatCost(r.cost_usd, true)}</span> : formatCost(r.cost_usd)}</dd>
          <dt>Latency</dt>
          <dd>{formatMs(r.latency_ms)}</dd>
        </dl>
        {r.error_message && <p class="notice">{r.error_message}</p>}
        {r.warnings && <p class="notice">{`Dropped in translation: ${r.warnings}`}</p>}
      </div>
      <h2>Timeline</h2>
      {trace.rounds.length === 0 && <p class="muted">No upstream call was made for this request.</p>}
      <ol class="timeline" id="timeline">
        {trace.rounds.map((round) => (
          <li class={round.attempts.some((a) => a.status === 0 || a.status >= 400) ? 'failed' : undefined}>
            <strong>{`Round ${round.round}`}</strong>
            {round.attempts.map((a) => {
              const unknownCost = a.cost_usd === null || a.cost_unknown !== 0;
              return (
                <div class="attempt">
                  {`LLM · ${a.provider} / ${a.model} · attempt ${a.attempt} · `}
                  <StatusBadge status={a.status} />
                  {a.error_type ? ` ${a.error_type}` : ''}
                  {` · tokens ${formatInt(a.prompt_tokens)} / ${formatInt(a.completion_tokens)} · `}
                  {unknownCost ? <span class="unknown">{formatCost(a.cost_usd, true)}</span> : formatCost(a.cost_usd)}
                  {` · ${formatMs(a.latency_ms)}`}
                </div>
              );
            })}
            {round.tools.length > 0 && (
              <ul class="tools">
                {round.tools.map((t) => (
                  <ToolCall t={t} />
                ))}
              </ul>
            )}
          </li>
        ))}
      </ol>
      <Payload label="request body" body={trace.request} />
      <Payload label="response body" body={trace.response} />
    </Layout>
  );
}
