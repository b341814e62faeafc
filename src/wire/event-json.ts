// JSON.parse for the data of a pass-through Messages stream's events, with the commonest small ones
// read without it: a text delta (content_block_delta of a text_delta), ping, content_block_stop and
// message_stop. Every event is parsed on the relay (a malformed one is a 502: README, Guarantees,
// "Upstream faults"), and JSON.parse costs ~0.6 us a call even for a ~90-byte delta; read here, ~0.4
// us, a ping or a stop next to nothing. A real answer is mostly deltas; on the bench's stream (8 of
// its 11 events) the relay's work fell by ~20% in-process (issue 20, bench/README.md).
// Not done for Responses' output_text.delta: its form has four more fields, and reading them so
// was no faster than JSON.parse.
//
// Why the result is JSON.parse's: a data text that is exactly one of the forms below, with an
// index of 1-9 digits (no sign, fraction, exponent or leading zero: an exact integer) and a text
// holding no `"`, `\` or control character (so the string's value is its text), is valid JSON whose
// value is the object built here, with the same keys in the same order. Any other text, including
// every invalid one, goes to JSON.parse, so it throws as before.

/** The value of the integer intEnd last read (a module variable: no object per number read). */
let intValue = 0;

/** Where a JSON integer of 1-9 digits at `at` ends (its value in intValue), or -1. */
function intEnd(text: string, at: number): number {
  let c = text.charCodeAt(at);
  if (c < 48 || c > 57) return -1;
  if (c === 48) {
    intValue = 0;
    return at + 1;
  }
  let value = 0;
  let i = at;
  while (c >= 48 && c <= 57) {
    value = value * 10 + (c - 48);
    c = text.charCodeAt(++i);
  }
  intValue = value;
  return i - at > 9 ? -1 : i;
}

/**
 * The string value of `text` [start, end) when it needs no unescaping (no `"`, `\` nor U+0000-U+001F
 * in it), else undefined. A loop: on a delta's few characters, faster than a regular expression.
 */
function plainAt(text: string, start: number, end: number): string | undefined {
  if (end < start) return undefined;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 34 || c === 92 || c < 32) return undefined;
  }
  return text.slice(start, end);
}

const M_DELTA = '{"type":"content_block_delta","index":';
const M_TEXT = ',"delta":{"type":"text_delta","text":"';
const M_STOP = '{"type":"content_block_stop","index":';

/** JSON.parse(data) for an Anthropic Messages stream event. */
export function parseMessagesEvent(data: string): unknown {
  if (data === '{"type":"ping"}') return { type: 'ping' };
  if (data === '{"type":"message_stop"}') return { type: 'message_stop' };
  if (data.startsWith(M_DELTA)) {
    const end = intEnd(data, M_DELTA.length);
    const index = intValue;
    if (end > 0 && data.startsWith(M_TEXT, end) && data.endsWith('"}}')) {
      const text = plainAt(data, end + M_TEXT.length, data.length - 3);
      if (text !== undefined) return { type: 'content_block_delta', index, delta: { type: 'text_delta', text } };
    }
  } else if (data.startsWith(M_STOP)) {
    const end = intEnd(data, M_STOP.length);
    if (end > 0 && end === data.length - 1 && data.charCodeAt(end) === 125) return { type: 'content_block_stop', index: intValue };
  }
  return JSON.parse(data);
}
