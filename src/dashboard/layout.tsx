// The page shell: header navigation, logout, stylesheet. Server-rendered Hono JSX (which escapes
// every interpolated value); the dashboard ships no client-side JavaScript.
import type { Child } from 'hono/jsx';

export type Section = 'requests' | 'usage' | 'mcp' | 'tools' | 'none';

const NAV: { id: Section; href: string; label: string }[] = [
  { id: 'requests', href: '/logs', label: 'Requests' },
  { id: 'usage', href: '/logs/usage', label: 'Usage' },
  { id: 'mcp', href: '/logs/mcp', label: 'MCP servers' },
  { id: 'tools', href: '/logs/tools', label: 'Tool pins' },
];

export function Layout(props: { title: string; section: Section; children?: Child; loggedIn?: boolean }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${props.title} · Tollgate`}</title>
        <link rel="stylesheet" href="/logs/assets/dashboard.css" />
      </head>
      <body>
        <header>
          <span class="brand">Tollgate</span>
          {props.loggedIn !== false && (
            <nav>
              {NAV.map((n) => (
                <a href={n.href} class={n.id === props.section ? 'active' : undefined}>
                  {n.label}
                </a>
              ))}
            </nav>
          )}
          {props.loggedIn !== false && (
            <form method="post" action="/logs/logout">
              <button type="submit">Log out</button>
            </form>
          )}
        </header>
        <main>{props.children}</main>
      </body>
    </html>
  );
}

export function StatusBadge(props: { status: number }) {
  return <span class={props.status < 400 ? 'status ok' : 'status err'}>{props.status}</span>;
}
