// Node hands every request carrying `Connection: upgrade` to the server's 'upgrade' listener once
// there is one, and detaches the socket from HTTP. Without a listener the same request is served as
// plain HTTP, which is what clients expect when they offer an upgrade the server does not do (curl
// --http2 on http:// offers `Upgrade: h2c` on every request). So an upgrade the gateway does not
// take goes back to HTTP: its head is rebuilt without the upgrade offer, put back in front of the
// bytes already read (`head`: the body and any pipelined request), and the socket is handed to the
// server as a new connection. Node 20 has no hook to decline an upgrade before it is detached.
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';

export function serveAsHttp(server: Server, req: IncomingMessage, socket: Duplex, head: Buffer): void {
  const lines = [`${req.method} ${req.url} HTTP/${req.httpVersion}`];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!;
    let value = req.rawHeaders[i + 1]!;
    const lower = name.toLowerCase();
    if (lower === 'upgrade') continue;
    if (lower === 'connection') {
      // Without the upgrade token Node parses it as an ordinary request (no second 'upgrade' event).
      value = value
        .split(',')
        .map((token) => token.trim())
        .filter((token) => token !== '' && token.toLowerCase() !== 'upgrade')
        .join(', ');
      if (!value) continue;
    }
    lines.push(`${name}: ${value}`);
  }
  socket.unshift(Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), head]));
  server.emit('connection', socket);
}
