// A request's or notification's `params._meta` cut down to the keys anything in the gateway reads,
// before the MCP SDK sees the message. Why: `_meta` is an open object (MCP spec, "General fields":
// a progress token and any key a client likes), which the SDK's schemas declare loose, so every
// zod parse of a message copies every key; a message goes through several (the transport's message
// schema, the kind test, the dispatch, the handler wrapper). One POST within maxBodyBytes holding a
// 400,000-key `_meta` stalled the event loop 3 s, 15× JSON.parse of its body (issue 20,
// tests/isolation/mcp-wide-bodies.test.ts).
//
// Nothing of a client's `_meta` leaves the gateway (an upstream call builds its own), and the
// gateway reads only its progress token; the SDK reads its reserved keys (the 2026-07-28 envelope,
// related-task). Every other key is dropped here without walking the object: the keys kept are
// looked up by name. A `_meta` that is not an object is left for the SDK to refuse, as before.
import { isPlainObject } from '../plain-object.js';

const RESERVED = 'io.modelcontextprotocol/';
/** What the SDK (2.4.0) and the gateway read of a request's or notification's `_meta`. */
const READ = [
  'progressToken',
  `${RESERVED}protocolVersion`,
  `${RESERVED}clientInfo`,
  `${RESERVED}clientCapabilities`,
  `${RESERVED}logLevel`,
  `${RESERVED}related-task`,
  `${RESERVED}subscriptionId`,
];

function slimOne(message: unknown): void {
  if (!isPlainObject(message) || typeof message.method !== 'string') return;
  const params = message.params;
  if (!isPlainObject(params)) return;
  const meta = params._meta;
  if (!isPlainObject(meta)) return;
  const kept: Record<string, unknown> = {};
  for (const key of READ) if (Object.hasOwn(meta, key)) kept[key] = meta[key];
  params._meta = kept;
}

/**
 * The `_meta` of the parsed body's message (or of each message of a batch) cut down, in place, to
 * the keys that are read. The body is the request's own, just parsed.
 */
export function slimRequestMeta(body: unknown): void {
  if (Array.isArray(body)) for (const message of body) slimOne(message);
  else slimOne(body);
}
