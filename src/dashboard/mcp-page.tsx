// MCP servers as the manager sees them now: state, tools, last error.
import { Layout } from './layout.js';
import { formatTime } from './format.js';
import type { McpServerStatus, McpToolEntry } from '../../mcp/manager.js';

export function McpPage(props: { servers: McpServerStatus[]; tools: readonly McpToolEntry[] }) {
  return (
    <Layout title="MCP servers" section="mcp">
      <h1>MCP servers</h1>
      {props.servers.length === 0 && <p class="muted">No MCP servers are configured.</p>}
      {props.servers.map((s) => {
        const tools = props.tools.filter((t) => t.server === s.name);
        const dot = s.state === 'connected' ? 'dot up' : s.state === 'connecting' ? 'dot pending' : 'dot down';
        return (
          <div class="card" data-server={s.name}>
            <h2>
              <span class={dot} />
              {`${s.name} · ${s.state}`}
              <span class="muted">{` · ${s.transport} · ${s.tools} tools${s.connectedAt ? ` · connected since ${formatTime(s.connectedAt)} UTC` : ''}`}</span>
            </h2>
            {s.error && <p class="notice">{`error: ${s.error}`}</p>}
            {s.lastError && s.lastError !== s.error && <p class="muted">{`last error: ${s.lastError}`}</p>}
            {tools.length > 0 && (
              <table>
                <thead>
                  <tr>
                    <th>Gateway name</th>
                    <th>MCP tool</th>
                    <th>Description</th>
                  </tr>
                </thead>
                <tbody>
                  {tools.map((t) => (
                    <tr>
                      <td class="mono">{t.name}</td>
                      <td class="mono">{t.tool}</td>
                      <td>{t.definition.description ?? ''}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </div>
        );
      })}
    </Layout>
  );
}
