// A tiny HTTP/1.1 client over a raw socket. fetch and node:http refuse to send what a hostile
// client can send (non-Latin-1 header bytes, odd methods, control characters), so the fuzz test
// writes the bytes itself and parses whatever comes back.
import { connect } from 'node:net';

export interface RawRequest {
  method: string;
  /** Path and query, sent as raw bytes (may be percent-garbage or UTF-8). */
  target: string;
  headers: [string, string | Buffer][];
  body?: Buffer;
  /** Send the body with Transfer-Encoding: chunked instead of Content-Length. */
  chunked?: boolean;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export function rawRequest(url: string, req: RawRequest, timeoutMs = 10_000): Promise<RawResponse> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no complete answer within ${timeoutMs} ms: ${req.method} ${req.target}`));
    }, timeoutMs);
    const finish = () => {
      clearTimeout(timer);
      try {
        resolve(parse(Buffer.concat(chunks)));
      } catch (err) {
        reject(err);
      }
    };
    socket.on('data', (d: Buffer) => {
      chunks.push(d);
      // An event stream that stays open (SSE) has answered once its head is in.
      const head = Buffer.concat(chunks).toString('latin1');
      if (/\r\ncontent-type: text\/event-stream/i.test(head.split('\r\n\r\n')[0] ?? '') && head.includes('\r\n\r\n')) socket.destroy();
    });
    socket.on('close', finish);
    socket.on('error', () => undefined);
    const body = req.body ?? Buffer.alloc(0);
    const lines: Buffer[] = [
      Buffer.from(`${req.method} `, 'latin1'),
      Buffer.from(req.target, 'utf8'),
      Buffer.from(' HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n', 'latin1'),
    ];
    for (const [name, value] of req.headers)
      lines.push(Buffer.from(`${name}: `, 'latin1'), Buffer.isBuffer(value) ? value : Buffer.from(value, 'utf8'), Buffer.from('\r\n'));
    if (req.chunked) {
      lines.push(Buffer.from('Transfer-Encoding: chunked\r\n\r\n'));
      for (let i = 0; i < body.length; i += 16_384) {
        const part = body.subarray(i, i + 16_384);
        lines.push(Buffer.from(`${part.length.toString(16)}\r\n`), part, Buffer.from('\r\n'));
      }
      lines.push(Buffer.from('0\r\n\r\n'));
    } else {
      lines.push(Buffer.from(`Content-Length: ${body.length}\r\n\r\n`), body);
    }
    socket.end(Buffer.concat(lines));
  });
}

function parse(raw: Buffer): RawResponse {
  const split = raw.indexOf('\r\n\r\n');
  if (split < 0) return { status: 0, headers: {}, body: raw.toString('utf8') };
  const [statusLine, ...headerLines] = raw.subarray(0, split).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine ?? '')?.[1] ?? 0);
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  let body = raw.subarray(split + 4);
  if (/chunked/i.test(headers['transfer-encoding'] ?? '')) body = dechunk(body);
  return { status, headers, body: body.toString('utf8') };
}

function dechunk(buf: Buffer): Buffer {
  const out: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = buf.indexOf('\r\n', at);
    if (eol < 0) break;
    const size = parseInt(buf.subarray(at, eol).toString('latin1'), 16);
    if (!Number.isFinite(size) || size === 0) break;
    out.push(buf.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
  return Buffer.concat(out);
}
