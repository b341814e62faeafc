// The floor for `/mcp`, as bare-proxy.ts is chat's: the least an HTTP-to-stdio MCP proxy can do.
// node:http in; each POSTed JSON-RPC message goes to one stdio MCP server (one connection, its ids
// renumbered so concurrent clients cannot collide) and the server's answer comes back as a JSON
// body. No governance, no ledger, no sessions, no MCP SDK: it pays only the extra process hop
// (client → proxy → stdio server → proxy → client) and the JSON work any proxy pays. Issue 20's
// `/mcp` target is measured against the direct SDK call; this row says how much of that gap is the
// hop itself on this machine.
//   MCP_COMMAND=node MCP_ARGS='["…/server-everything/dist/index.js","stdio"]' node dist/bench/bare-mcp-proxy.js
//   → prints {"port":N} when listening; POST /mcp as a streamable HTTP MCP server without sessions.
import { spawn } from 'node:child_process';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

const command = process.env.MCP_COMMAND;
if (!command) throw new Error('MCP_COMMAND is required');
const child = spawn(command, JSON.parse(process.env.MCP_ARGS ?? '[]') as string[], { stdio: ['pipe', 'pipe', 'ignore'] });
child.on('exit', () => process.exit(1));

interface Message {
  jsonrpc: '2.0';
  id?: number | string;
  method?: string;
  params?: unknown;
  result?: unknown;
  error?: unknown;
}

/** Client requests in flight, by the id they carry on the stdio connection. */
const pending = new Map<number, { res: ServerResponse; id: number | string }>();
let nextId = 1;
/** The server's answer to the first initialize: later clients get it without a second handshake. */
let initialized: Message | undefined;
let initializedSent = false;

// Newline-delimited JSON from the server.
let buffered = '';
child.stdout.setEncoding('utf8');
child.stdout.on('data', (chunk: string) => {
  buffered += chunk;
  let nl = buffered.indexOf('\n');
  while (nl !== -1) {
    const line = buffered.slice(0, nl);
    buffered = buffered.slice(nl + 1);
    if (line.trim()) fromServer(JSON.parse(line) as Message);
    nl = buffered.indexOf('\n');
  }
});

function fromServer(msg: Message): void {
  if (msg.method !== undefined) {
    // A request of the server's own (this proxy offers no client capabilities): refuse it so the
    // server does not wait; its notifications (logs, list changes) have nobody to go to.
    if (msg.id !== undefined) send({ jsonrpc: '2.0', id: msg.id, error: { code: -32601, message: 'Method not found' } });
    return;
  }
  const call = pending.get(msg.id as number);
  if (!call) return;
  pending.delete(msg.id as number);
  msg.id = call.id;
  if (initialized === undefined && msg.result && (msg.result as { protocolVersion?: unknown }).protocolVersion) initialized = msg;
  answer(call.res, 200, JSON.stringify(msg));
}

function send(msg: Message): void {
  child.stdin.write(`${JSON.stringify(msg)}\n`);
}

function answer(res: ServerResponse, status: number, body?: string): void {
  if (body === undefined) {
    res.writeHead(status);
    res.end();
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(body);
}

function fromClient(msg: Message, res: ServerResponse): void {
  if (msg.id === undefined) {
    // A notification: the server hears `initialized` once; the others (cancellations too) go on.
    if (msg.method !== 'notifications/initialized' || !initializedSent) send(msg);
    if (msg.method === 'notifications/initialized') initializedSent = true;
    answer(res, 202);
    return;
  }
  if (msg.method === 'initialize' && initialized) {
    answer(res, 200, JSON.stringify({ ...initialized, id: msg.id }));
    return;
  }
  const id = nextId++;
  pending.set(id, { res, id: msg.id });
  msg.id = id;
  send(msg);
}

const server = createServer({ keepAliveTimeout: 120_000 }, (req, res) => {
  if (req.method !== 'POST') {
    answer(res, 405);
    return;
  }
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    let msg: Message;
    try {
      msg = JSON.parse((chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)).toString()) as Message;
    } catch {
      answer(res, 400, '{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error"}}');
      return;
    }
    fromClient(msg, res);
  });
});

server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);
});
