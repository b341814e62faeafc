// The HTTP server's own limits: what one socket may hold before a request is even read. Nothing
// per key is held while a request arrives (the key is checked after the body is read), so without
// these anyone could hold sockets open for Node's 300 s request timeout each, and as many as the
// process has file descriptors, stalling every tenant.
import { z } from 'zod';
import { timerMs } from './config-timers.js';

export const serverSchema = z
  .strictObject({
    /**
     * Time a client has to send a whole request (headers and body) from its first byte; beyond it,
     * 408 and the socket closes. Only the request: a streamed response, the /mcp GET stream and a
     * WebSocket connection may last as long as they need. 4 MB (maxBodyBytes) at 1 Mbit/s takes 34 s.
     */
    requestTimeoutMs: timerMs().default(60_000),
    /** Time a client has to send its request headers. At most requestTimeoutMs. */
    headersTimeoutMs: timerMs().default(20_000),
    /** Connections open at once (idle keep-alive, streams and WebSockets included); beyond it Node closes new ones at once. */
    maxConnections: z.number().int().positive().default(4096),
  })
  .refine((s) => s.headersTimeoutMs <= s.requestTimeoutMs, {
    message: 'headersTimeoutMs must not exceed requestTimeoutMs',
    path: ['headersTimeoutMs'],
  })
  .prefault({});

export type ServerLimits = z.infer<typeof serverSchema>;
