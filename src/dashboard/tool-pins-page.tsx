// /logs/tools: MCP tool pins. Definitions awaiting review come first, each with its injection
// flags, a diff of the approved definition against the listed one, and approve/block forms
// (plain POSTs: no client JavaScript); then every approved pin.
import { Layout } from './layout.js';
import { formatTime } from './format.js';
import type { PinView } from '../../mcp/pinning/index.js';

const STATUS_TEXT: Record<PinView['status'], string> = {
  approved: 'approved',
  pending_new: 'new, awaiting approval',
  pending_changed: 'changed since approval',
  blocked: 'blocked',
};

const enc = encodeURIComponent;

function effect(p: PinView): string {
  if (p.name === null) return 'not listed by the server now';
  if (p.quarantined) return `withheld from models and calls (${p.quarantined})`;
  if (p.flagged) return 'offered to models (pin: warn) but unapproved';
  return 'offered';
}

function Review(props: { p: PinView }) {
  const { p } = props;
  const base = `/logs/tools/${enc(p.server)}/${enc(p.tool)}`;
  return (
    <div class="card" data-pin={`${p.server}/${p.tool}`}>
      <h2>
        <span class={p.status === 'blocked' ? 'dot down' : 'dot pending'} />
        {`${p.server} / ${p.tool} · ${STATUS_TEXT[p.status]}`}
        <span class="muted">{` · pin: ${p.mode} · ${effect(p)} · seen ${formatTime(p.updated)} UTC`}</span>
      </h2>
      {p.flags.length > 0 && (
        <ul class="flags">
          {p.flags.map((f) => (
            <li>
              <span class="unknown">{f.code}</span> <span class="mono">{f.field}</span> <code>{f.excerpt}</code>
            </li>
          ))}
        </ul>
      )}
      {p.diff && (
        <>
          <p class="muted">
            {p.hash
              ? `Changed fields: ${p.diff.changedFields.join(', ')}. Approved ${p.approvedAt ? formatTime(p.approvedAt) : ''} by ${p.approvedBy ?? '?'}.`
              : 'Never approved: the whole definition is new.'}
          </p>
          <pre class="diff">
            {p.diff.lines.map((l) => (
              <span class={l.op === '+' ? 'add' : l.op === '-' ? 'del' : 'same'}>{`${l.op} ${l.text}\n`}</span>
            ))}
          </pre>
        </>
      )}
      {p.status === 'blocked' && (
        <p class="muted">{`Blocked ${p.blockedAt ? formatTime(p.blockedAt) : ''} by ${p.blockedBy ?? '?'}; held until the server lists another definition, or you approve this one.`}</p>
      )}
      <div class="actions">
        <form method="post" action={`${base}/approve`}>
          <input type="hidden" name="hash" value={p.pendingHash ?? ''} />
          <button type="submit" class="primary">
            Approve and re-pin
          </button>
        </form>
        {p.status !== 'blocked' && (
          <form method="post" action={`${base}/block`}>
            <input type="hidden" name="hash" value={p.pendingHash ?? ''} />
            <button type="submit">Keep blocking</button>
          </form>
        )}
      </div>
    </div>
  );
}

export function ToolPinsPage(props: { pins: PinView[]; notice?: string | undefined }) {
  const review = props.pins.filter((p) => p.status !== 'approved');
  const approved = props.pins.filter((p) => p.status === 'approved');
  return (
    <Layout title="Tool pins" section="tools">
      <h1>MCP tool pins</h1>
      {props.notice && <p class="card">{props.notice}</p>}
      <h2>{`Awaiting review (${review.length})`}</h2>
      {review.length === 0 && <p class="muted">No tool definition is awaiting review.</p>}
      {review.map((p) => (
        <Review p={p} />
      ))}
      <h2>{`Pinned (${approved.length})`}</h2>
      <table>
        <thead>
          <tr>
            <th>Server</th>
            <th>Tool</th>
            <th>Hash</th>
            <th>Approved</th>
            <th>State</th>
          </tr>
        </thead>
        <tbody>
          {approved.map((p) => (
            <tr>
              <td class="mono">{p.server}</td>
              <td class="mono">{p.tool}</td>
              <td class="mono">{(p.hash ?? '').slice(0, 12)}</td>
              <td>{`${p.approvedAt ? formatTime(p.approvedAt) : ''} by ${p.approvedBy ?? '?'}`}</td>
              <td>{`${effect(p)} · pin: ${p.mode}`}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Layout>
  );
}
