// Where the money and the tool calls go: cost and requests per day, then breakdowns by key,
// team, model and tool, each as a chart and a table. Unknown prices are flagged, never summed as 0.
import { Layout } from './layout.js';
import { BarChart, ColumnChart } from './charts.js';
import { formatCost, formatInt, formatMs } from './format.js';
import type { BreakdownRow, DayRow, ToolRow } from './usage-queries.js';

export const RANGES = [1, 7, 30, 90] as const;

const usd = (v: number) => formatCost(v);
const count = (v: number) => formatInt(v);

function CostCell(props: { cost: number | null; unknown: number }) {
  if (props.unknown > 0)
    return (
      <span
        class="unknown"
        title={`${props.unknown} with unknown price`}
      >{`${formatCost(props.cost ?? 0)} + ${props.unknown} unknown`}</span>
    );
  return <>{formatCost(props.cost ?? 0)}</>;
}

function Breakdown(props: { title: string; id: string; first: string; second?: string; unit: string; rows: BreakdownRow[] }) {
  return (
    <div class="card" id={props.id}>
      <h2>{props.title}</h2>
      <BarChart
        title={`${props.title}: cost`}
        format={usd}
        points={props.rows.map((r) => ({ label: r.label ?? '(none)', value: r.cost_usd ?? 0, warn: r.unknown_cost > 0 }))}
      />
      <table>
        <thead>
          <tr>
            <th>{props.first}</th>
            {props.second && <th>{props.second}</th>}
            <th class="num">{props.unit}</th>
            <th class="num">Errors</th>
            <th class="num">Tokens</th>
            <th class="num">Cost</th>
          </tr>
        </thead>
        <tbody>
          {props.rows.map((r) => (
            <tr class={r.unknown_cost > 0 ? 'unknown-price' : undefined}>
              <td>{r.label ?? <span class="muted">(none)</span>}</td>
              {props.second && <td>{r.detail ?? '—'}</td>}
              <td class="num">{formatInt(r.requests)}</td>
              <td class="num">{formatInt(r.errors)}</td>
              <td class="num">{formatInt(r.tokens)}</td>
              <td class="num">
                <CostCell cost={r.cost_usd} unknown={r.unknown_cost} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export interface UsageData {
  days: number;
  since: string;
  byDay: DayRow[];
  byKey: BreakdownRow[];
  byTeam: BreakdownRow[];
  byModel: BreakdownRow[];
  byTool: ToolRow[];
}

export function UsagePage(props: UsageData) {
  const totalCost = props.byDay.reduce((s, d) => s + (d.cost_usd ?? 0), 0);
  const totalReq = props.byDay.reduce((s, d) => s + d.requests, 0);
  const unknown = props.byDay.reduce((s, d) => s + d.unknown_cost, 0);
  return (
    <Layout title="Usage" section="usage">
      <h1>Usage</h1>
      <p>
        {RANGES.map((d) => (d === props.days ? <strong>{`${d}d `}</strong> : <a href={`/logs/usage?days=${d}`}>{`${d}d `}</a>))}
        <span class="muted">{` since ${props.since} (UTC days)`}</span>
      </p>
      <div class="card">
        {`${formatInt(totalReq)} requests · ${formatCost(totalCost)} known cost`}
        {unknown > 0 && <span class="unknown">{` · ${unknown} requests with unknown price (not included)`}</span>}
      </div>
      <div class="charts">
        <div class="card">
          <h2>Cost per day</h2>
          <ColumnChart
            title="Cost per day"
            format={usd}
            points={props.byDay.map((d) => ({ label: d.day, value: d.cost_usd ?? 0, warn: d.unknown_cost > 0 }))}
          />
        </div>
        <div class="card">
          <h2>Requests per day</h2>
          <ColumnChart title="Requests per day" format={count} points={props.byDay.map((d) => ({ label: d.day, value: d.requests }))} />
        </div>
      </div>
      <div class="grid2">
        <Breakdown title="By key" id="by-key" first="Key" second="Team" unit="Requests" rows={props.byKey} />
        <Breakdown title="By team" id="by-team" first="Team" unit="Requests" rows={props.byTeam} />
        <Breakdown title="By model (upstream calls)" id="by-model" first="Model" second="Provider" unit="LLM calls" rows={props.byModel} />
        <div class="card" id="by-tool">
          <h2>By tool</h2>
          <BarChart title="Tool calls" alt format={count} points={props.byTool.map((t) => ({ label: t.name, value: t.calls }))} />
          <table>
            <thead>
              <tr>
                <th>Tool</th>
                <th class="num">Calls</th>
                <th class="num">Errors</th>
                <th class="num">Denied</th>
                <th class="num">Avg latency</th>
                <th class="num">Cost</th>
              </tr>
            </thead>
            <tbody>
              {props.byTool.map((t) => (
                <tr>
                  <td class="mono">{t.name}</td>
                  <td class="num">{formatInt(t.calls)}</td>
                  <td class="num">{formatInt(t.errors)}</td>
                  <td class="num">{formatInt(t.denials)}</td>
                  <td class="num">{formatMs(t.avg_latency_ms)}</td>
                  <td class="num">{formatCost(t.cost_usd ?? 0)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
    </Layout>
  );
}
