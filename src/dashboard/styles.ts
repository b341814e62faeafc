// The dashboard's stylesheet, served by our process at /logs/assets/dashboard.css (no CDN, and
// the Content-Security-Policy allows styles from 'self' only, so no inline style attributes).
export const DASHBOARD_CSS = `
:root { --fg:#1d2330; --muted:#667085; --line:#e4e7ec; --bg:#f7f8fa; --card:#fff; --accent:#3b5bdb;
  --ok:#2b8a3e; --err:#c92a2a; --warn:#b35c00; --warnbg:#fff4e6; }
* { box-sizing:border-box; }
body { margin:0; font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif; color:var(--fg); background:var(--bg); }
header { display:flex; align-items:center; gap:24px; padding:10px 24px; background:#141a26; color:#fff; }
header .brand { font-weight:700; letter-spacing:.3px; }
header nav a { color:#c9d1e3; text-decoration:none; margin-right:16px; }
header nav a.active, header nav a:hover { color:#fff; }
header form { margin-left:auto; }
header button { background:none; border:1px solid #55607a; color:#c9d1e3; border-radius:4px; padding:3px 10px; cursor:pointer; }
main { padding:20px 24px; max-width:1400px; }
h1 { font-size:20px; margin:0 0 14px; } h2 { font-size:16px; margin:22px 0 10px; }
.card { background:var(--card); border:1px solid var(--line); border-radius:6px; padding:14px 16px; margin-bottom:16px; }
.card > h2:first-child { margin-top:0; }
td.mono { white-space:nowrap; }
table { border-collapse:collapse; width:100%; background:var(--card); }
th, td { text-align:left; padding:6px 10px; border-bottom:1px solid var(--line); vertical-align:top; }
th { font-size:12px; text-transform:uppercase; color:var(--muted); font-weight:600; background:#fafbfc; }
td.num, th.num { text-align:right; font-variant-numeric:tabular-nums; }
tr:hover td { background:#f5f7ff; }
a { color:var(--accent); }
code, .mono { font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace; font-size:12.5px; }
.filters { display:flex; flex-wrap:wrap; gap:10px; align-items:flex-end; }
.filters label { display:flex; flex-direction:column; font-size:12px; color:var(--muted); gap:2px; }
input, select { font:inherit; padding:4px 6px; border:1px solid #c8ccd4; border-radius:4px; background:#fff; }
button.primary { background:var(--accent); color:#fff; border:0; border-radius:4px; padding:6px 14px; cursor:pointer; font:inherit; }
.status { display:inline-block; padding:1px 7px; border-radius:10px; font-size:12px; font-weight:600; }
.status.ok { background:#ebfbee; color:var(--ok); } .status.err { background:#fff5f5; color:var(--err); }
.unknown { color:var(--warn); background:var(--warnbg); border-radius:3px; padding:0 4px; font-weight:600; }
tr.unknown-price td { background:#fffaf2; }
.muted { color:var(--muted); }
.pager { margin-top:12px; display:flex; gap:16px; }
.kv { display:grid; grid-template-columns:max-content 1fr max-content 1fr; gap:4px 16px; }
.kv dt { color:var(--muted); } .kv dd { margin:0; }
.timeline { list-style:none; padding:0; margin:0; border-left:3px solid var(--line); }
.timeline > li { position:relative; margin:0 0 14px 18px; }
.timeline > li::before { content:""; position:absolute; left:-25px; top:6px; width:11px; height:11px; border-radius:50%; background:var(--accent); }
.timeline > li.failed::before { background:var(--err); }
.attempt { background:var(--card); border:1px solid var(--line); border-radius:6px; padding:8px 12px; }
.tools { list-style:none; padding:0; margin:8px 0 0 22px; }
.tool { background:#f8f9ff; border:1px solid #dde3ff; border-left:4px solid var(--accent); border-radius:5px; padding:8px 12px; margin-bottom:8px; }
.tool.denied, .tool.failed { border-left-color:var(--err); background:#fff8f8; }
.tool .error { color:var(--err); }
pre { background:#0f1420; color:#e6e9ef; padding:8px 10px; border-radius:4px; overflow:auto; max-height:260px; margin:6px 0 0; white-space:pre-wrap; word-break:break-word; }
.charts { display:grid; grid-template-columns:1fr 1fr; gap:16px; }
svg.chart { width:100%; height:auto; display:block; }
svg.chart .bar { fill:var(--accent); } svg.chart .bar.alt { fill:#12b886; } svg.chart .bar.warn { fill:#f08c00; }
svg.chart text { font-size:11px; fill:var(--muted); } svg.chart .axis { stroke:var(--line); }
.grid2 { display:grid; grid-template-columns:1fr 1fr; gap:16px; }
.login { max-width:380px; margin:80px auto; }
.login input { width:100%; margin:8px 0 12px; }
.notice { color:var(--err); }
.dot { display:inline-block; width:9px; height:9px; border-radius:50%; margin-right:6px; }
.flags { margin:6px 0; padding-left:18px; }
pre.diff span { display:block; } pre.diff .add { background:#12381f; color:#b2f2bb; } pre.diff .del { background:#3d1418; color:#ffc9c9; }
.actions { display:flex; gap:10px; margin-top:10px; }
.actions button:not(.primary) { font:inherit; padding:6px 14px; border:1px solid #c8ccd4; border-radius:4px; background:#fff; cursor:pointer; }
.dot.up { background:var(--ok); } .dot.down { background:var(--err); } .dot.pending { background:#f59f00; }
`;
