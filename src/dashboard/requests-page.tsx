// The request list: newest first, filters in a plain GET form (bookmarkable, no JS), keyset
// pagination (a "before" cursor, so deep pages cost the same as the first).
import { Layout, StatusBadge } from './layout.js';
import { formatCost, formatInt, formatMs, formatTime } from './format.js';
import { encodeCursor, withQuery, type Query } from './filters.js';
import type { RequestListRow } from './request-queries.js';

export const PAGE_SIZE = 50;

const STATUS_OPTIONS: [string, string][] = [
  ['', 'any'],
  ['ok', 'ok (< 400)'],
  ['error', 'errors (≥ 400)'],
  ...['400', '401', '402', '403', '429', '499', '500', '502', '503', '504'].map((s): [string, string] => [s, s]),
];

function Filters(props: { q: Query; keys: string[]; teams: string[] }) {
  const { q } = props;
  return (
    <form class="card filters" method="get" action="/logs">
      <label>
        Key
        <input name="key" value={q.key ?? ''} list="key-ids" placeholder="key id" />
      </label>
      <label>
        Team
        <input name="team" value={q.team ?? ''} list="team-ids" placeholder="team id" />
      </label>
      <label>
        Model
        <input name="model" value={q.model ?? ''} placeholder="openai/gpt-4o-mini" />
      </label>
      <label>
        Status
        <select name="status">
          {STATUS_OPTIONS.map(([v, l]) => (
            <option value={v} selected={(q.status ?? '') === v}>
              {l}
            </option>
          ))}
        </select>
      </label>
      <label>
        Tool calls
        <select name="tools">
          <option value="">any</option>
          <option value="yes" selected={q.tools === 'yes'}>
            with tool calls
          </option>
          <option value="no" selected={q.tools === 'no'}>
            without
          </option>
        </select>
      </label>
      <label>
        From (UTC)
        <input type="datetime-local" name="from" value={q.from ?? ''} />
      </label>
      <label>
        To (UTC)
        <input type="datetime-local" name="to" value={q.to ?? ''} />
      </label>
      <label>
        Request id
        <input name="q" value={q.q ?? ''} placeholder="id or prefix" class="mono" />
      </label>
      <button class="primary" type="submit">
        Filter
      </button>
      <a href="/logs">clear</a>
      <datalist id="key-ids">
        {props.keys.map((k) => (
          <option value={k} />
        ))}
      </datalist>
      <datalist id="team-ids">
        {props.teams.map((t) => (
          <option value={t} />
        ))}
      </datalist>
    </form>
  );
}

function Row(props: { r: RequestListRow }) {
  const r = props.r;
  const unknown = r.cost_usd === null || r.cost_unknown !== 0;
  return (
    <tr class={unknown ? 'unknown-price' : undefined} data-request-id={r.id}>
      <td class="mono">{formatTime(r.ts)}</td>
      <td>{r.key_id ?? <span class="muted">—</span>}</td>
      <td>{r.model ?? <span class="muted">—</span>}</td>
      <td class="num">{r.rounds}</td>
      <td class="num">{r.tool_calls}</td>
      <td class="num">{`${formatInt(r.prompt_tokens)} / ${formatInt(r.completion_tokens)}`}</td>
      <td class="num">
        {unknown ? (
          <span class="unknown" title="price unknown for a model or tool in this request">
            {formatCost(r.cost_usd, true)}
          </span>
        ) : (
          formatCost(r.cost_usd)
        )}
      </td>
      <td class="num">{formatMs(r.latency_ms)}</td>
      <td>
        <StatusBadge status={r.status} />
        {r.error_type && <span class="muted">{` ${r.error_type}`}</span>}
      </td>
      <td class="mono">
        <a href={`/logs/requests/${encodeURIComponent(r.id)}`}>{r.id.slice(0, 8)}</a>
      </td>
    </tr>
  );
}

export function RequestsPage(props: { q: Query; rows: RequestListRow[]; hasMore: boolean; keys: string[]; teams: string[] }) {
  const last = props.rows.at(-1);
  return (
    <Layout title="Requests" section="requests">
      <h1>Requests</h1>
      <Filters q={props.q} keys={props.keys} teams={props.teams} />
      <table id="requests">
        <thead>
          <tr>
            <th>Time (UTC)</th>
            <th>Key</th>
            <th>Model</th>
            <th class="num">Rounds</th>
            <th class="num">Tool calls</th>
            <th class="num">Tokens in / out</th>
            <th class="num">Cost</th>
            <th class="num">Latency</th>
            <th>Status</th>
            <th>Trace</th>
          </tr>
        </thead>
        <tbody>
          {props.rows.map((r) => (
            <Row r={r} />
          ))}
          {props.rows.length === 0 && (
            <tr>
              <td colspan={10} class="muted">
                No requests match these filters.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <div class="pager">
        {props.q.before && <a href={`/logs${withQuery(props.q, { before: undefined })}`}>« newest</a>}
        {props.hasMore && last && <a href={`/logs${withQuery(props.q, { before: encodeCursor(last) })}`}>older »</a>}
      </div>
    </Layout>
  );
}
