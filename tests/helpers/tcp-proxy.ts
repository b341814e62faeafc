// A loopback TCP proxy in front of a service (Redis), to make the network between the gateway and
// it misbehave on cue: `down()` cuts every connection and refuses new ones (commands sent then never
// run), `dropReplies()` lets commands through but loses their replies (they run; the client times
// out), `up()` restores normal service.
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';

export interface TcpProxy {
  /** e.g. redis://127.0.0.1:PORT when `scheme` is redis. */
  url: string;
  down(): void;
  dropReplies(): void;
  up(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }, scheme = 'redis'): Promise<TcpProxy> {
  let mode: 'up' | 'down' | 'drop' = 'up';
  const pairs = new Set<[Socket, Socket]>();
  const server: Server = createServer((client) => {
    if (mode === 'down') {
      client.destroy();
      return;
    }
    const upstream = connect(target.port, target.host);
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('data', (d) => upstream.write(d));
    upstream.on('data', (d) => {
      if (mode === 'up') client.write(d);
    });
    client.on('close', end);
    upstream.on('close', end);
    client.on('error', end);
    upstream.on('error', end);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `${scheme}://127.0.0.1:${port}`,
    down() {
      mode = 'down';
      for (const [a, b] of pairs) {
        a.destroy();
        b.destroy();
      }
      pairs.clear();
    },
    dropReplies() {
      mode = 'drop';
    },
    up() {
      mode = 'up';
    },
    async close() {
      for (const [a, b] of pairs) {
        a.destroy();
        b.destroy();
      }
      server.close();
      await once(server, 'close');
    },
  };
}
