// Charts as server-rendered inline SVG: no chart library, no client JS, nothing to fetch.
// Values are drawn to scale against the series maximum; labels are escaped by JSX like any text.

export interface Point {
  label: string;
  value: number;
  /** Drawn in the warning colour (e.g. a day with unknown-price requests). */
  warn?: boolean;
}

const W = 640;

/** Vertical bars over time (one per day). */
export function ColumnChart(props: { title: string; points: Point[]; format: (v: number) => string }) {
  const h = 180;
  const top = 16;
  const bottom = 26;
  const left = 8;
  const plot = h - top - bottom;
  const max = Math.max(0, ...props.points.map((p) => p.value));
  const n = Math.max(props.points.length, 1);
  const step = (W - left * 2) / n;
  const barW = Math.max(2, Math.min(36, step * 0.7));
  const every = Math.ceil(n / 10);
  return (
    <svg class="chart" viewBox={`0 0 ${W} ${h}`} role="img" aria-label={props.title}>
      <title>{props.title}</title>
      <text x={left} y={11}>{`max ${props.format(max)}`}</text>
      <line class="axis" x1={left} x2={W - left} y1={top + plot} y2={top + plot} />
      {props.points.map((p, i) => {
        const bh = max > 0 ? (p.value / max) * plot : 0;
        const x = left + i * step + (step - barW) / 2;
        return (
          <g>
            <rect
              class={p.warn ? 'bar warn' : 'bar'}
              x={x.toFixed(1)}
              y={(top + plot - bh).toFixed(1)}
              width={barW.toFixed(1)}
              height={bh.toFixed(1)}
            >
              <title>{`${p.label}: ${props.format(p.value)}${p.warn ? ' (some prices unknown)' : ''}`}</title>
            </rect>
            {i % every === 0 && (
              <text x={(x + barW / 2).toFixed(1)} y={h - 8} text-anchor="middle">
                {p.label.slice(5)}
              </text>
            )}
          </g>
        );
      })}
      {props.points.length === 0 && (
        <text x={W / 2} y={top + plot / 2} text-anchor="middle">
          no data in this range
        </text>
      )}
    </svg>
  );
}

/** Horizontal bars for a ranked breakdown (top entries only). */
export function BarChart(props: { title: string; points: Point[]; format: (v: number) => string; alt?: boolean }) {
  const rows = props.points.slice(0, 10);
  const rowH = 22;
  const labelW = 170;
  const valueW = 90;
  const h = Math.max(rows.length, 1) * rowH + 8;
  const max = Math.max(0, ...rows.map((p) => p.value));
  const span = W - labelW - valueW;
  return (
    <svg class="chart" viewBox={`0 0 ${W} ${h}`} role="img" aria-label={props.title}>
      <title>{props.title}</title>
      {rows.map((p, i) => {
        const y = 4 + i * rowH;
        const bw = max > 0 ? (p.value / max) * span : 0;
        const label = p.label.length > 26 ? `${p.label.slice(0, 25)}…` : p.label;
        return (
          <g>
            <text x={labelW - 6} y={y + 14} text-anchor="end">
              {label}
            </text>
            <rect
              class={p.warn ? 'bar warn' : props.alt ? 'bar alt' : 'bar'}
              x={labelW}
              y={y + 3}
              width={Math.max(bw, 1).toFixed(1)}
              height={rowH - 8}
            >
              <title>{`${p.label}: ${props.format(p.value)}`}</title>
            </rect>
            <text x={labelW + bw + 6} y={y + 14}>
              {`${props.format(p.value)}${p.warn ? ' *' : ''}`}
            </text>
          </g>
        );
      })}
      {rows.length === 0 && (
        <text x={W / 2} y={18} text-anchor="middle">
          no data in this range
        </text>
      )}
    </svg>
  );
}
