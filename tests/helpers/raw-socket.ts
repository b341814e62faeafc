// Bytes on a bare TCP socket, for what no HTTP client sends: a body that trickles in or never ends,
// a malformed chunk. The server's answer comes back as the text it wrote before closing.
import { connect } from 'node:net';

/**
 * Writes `first` to the server at `url`, and `then` (when given) `afterMs` after `first` went out;
 * resolves with all the server wrote once it closes the connection.
 */
export function rawExchange(url: string, first: string, then?: string, afterMs = 100): Promise<string> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    let text = '';
    const s = connect(Number(port), '127.0.0.1', () =>
      s.write(first, () => {
        if (then !== undefined) setTimeout(() => s.write(then), afterMs);
      }),
    );
    s.setEncoding('utf8');
    s.on('data', (d: string) => (text += d));
    s.on('error', reject);
    s.on('close', () => resolve(text));
  });
}

/** The value of header `name` in the head of a raw answer (the text rawExchange resolved with); undefined without it. */
export function rawHeader(answer: string, name: string): string | undefined {
  const head = answer.split('\r\n\r\n', 1)[0]!;
  for (const line of head.split('\r\n').slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0 && line.slice(0, colon).trim().toLowerCase() === name.toLowerCase()) return line.slice(colon + 1).trim();
  }
  return undefined;
}
