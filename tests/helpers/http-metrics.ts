// What the gateway's HTTP metrics counted, read the way an operator's scrape would: from /metrics.

/** tollgate_http_requests_total samples of `route` (a path, or a label such as 'unmatched') by status. */
export async function requestsByStatus(url: string, route: string): Promise<Record<string, number>> {
  return requestsByStatusIn(await (await fetch(`${url}/metrics`)).text(), route);
}

/** The same, from a scrape's text (e.g. gateway.metrics.render() while draining, when /metrics answers 503). */
export function requestsByStatusIn(text: string, route: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    if (!line.startsWith('tollgate_http_requests_total{') || !line.includes(`route="${route}"`)) continue;
    const status = /status="(\d+)"/.exec(line)?.[1] ?? '?';
    out[status] = (out[status] ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return out;
}
