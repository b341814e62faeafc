// The SSE reader for upstream streams: bytes in, events out (to the provider adapters as SseEvent
// values, and with comment lines to the pass-through relays, src/chat/native-upstream.ts).
import { StringDecoder } from 'node:string_decoder';
import type { SseEvent } from '../../providers/types.js';

/**
 * An SSE reader fed by hand: `write` each chunk as it arrives, `end` at the body's end. `onEvent`
 * runs for each event synchronously inside `write` (what it throws comes out of `write`); frames
 * split across chunks are reassembled, and an event the body ends in the middle of is dropped, as
 * the SSE spec says. `onComment`, when given, gets comment lines (`: text`) in stream order with
 * the events, the same way.
 *
 * Why pushed, not an async generator: every event then crossed three of them (the body's iterator,
 * the parser's, the adapter's) and the consumer's `for await`: several promise hops per event on
 * the path between the upstream's bytes and the client's, for an answer whose events all arrive in
 * one read (issue 20, chat SSE added latency). The upstream client hands each chunk over as undici
 * reads it (UpstreamStream.read, src/upstream/dispatch-answers.ts).
 */
export interface SseFeeder {
  write(chunk: Uint8Array | string): void;
  end(): void;
}

export function sseFeeder(onEvent: (event: SseEvent) => void, onComment?: (text: string) => void): SseFeeder {
  return new SseReader((type, data) => onEvent(type === undefined ? { data } : { event: type, data }), onComment);
}

const LF = 10;
const CR = 13;
const SPACE = 32;
const COLON = 58;

/**
 * The reader behind sseFeeder, for callers that take an event's type and data as they are (the
 * pass-through relays): no object per event. Reads the stream as eventsource-parser 3 did before it
 * (whose createParser was here), line for line: LF, CRLF and CR line ends, `event`/`data` fields with
 * or without the space after the colon, multi-line data joined by LF, an empty `event:` as none,
 * other fields (`id`, `retry`, unknown) ignored, an incomplete last line read at the end (a comment
 * there still counts) but never dispatched.
 *
 * Why not eventsource-parser: per stream it built a dozen closures and per event an `{id, event,
 * data}` object that sseFeeder copied into another and the relay into a third; with a StringDecoder
 * (a native buffer per stream) that was ~15% of a pass-through stream's relay time (issue 20, SSE).
 * The decoder is now made only when a chunk ends inside a multi-byte character.
 */
export class SseReader implements SseFeeder {
  /** Unterminated line text carried to the next chunk (pieces, joined once a line end arrives). */
  private fragments: string[] | undefined;
  private first = true;
  private data = '';
  private dataLines = 0;
  private type: string | undefined;
  private decoder: StringDecoder | undefined;

  constructor(
    private readonly onEvent: (type: string | undefined, data: string) => void,
    private readonly onComment?: (text: string) => void,
  ) {}

  /**
   * Whether nothing is pending (no part of a line, no event begun): the next text written is read
   * from a frame's start (pass-through relays rely on it: frame-spans.ts).
   */
  get idle(): boolean {
    return this.fragments === undefined && this.dataLines === 0 && this.type === undefined;
  }

  write(chunk: Uint8Array | string): void {
    this.feed(typeof chunk === 'string' ? chunk : this.decode(chunk));
  }

  end(): void {
    if (this.decoder) this.feed(this.decoder.end());
    const fragments = this.fragments;
    if (fragments) {
      const line = fragments.join('');
      this.line(line, 0, line.length);
    }
    this.fragments = undefined;
    this.first = true;
    this.data = '';
    this.dataLines = 0;
    this.type = undefined;
  }

  /**
   * UTF-8 as a StringDecoder reads it. A chunk that does not end inside a character decodes the same
   * with or without one; the first that does starts the decoder, which then carries the rest.
   */
  private decode(chunk: Uint8Array): string {
    if (!this.decoder) {
      if (!endsInsideCharacter(chunk)) {
        const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
        return buffer.toString('utf8');
      }
      this.decoder = new StringDecoder('utf8');
    }
    return this.decoder.write(chunk);
  }

  private feed(text: string): void {
    if (this.first) {
      this.first = false;
      // What eventsource-parser dropped as a byte-order mark (its bytes read as Latin-1 characters).
      if (text.charCodeAt(0) === 239 && text.charCodeAt(1) === 187 && text.charCodeAt(2) === 191) text = text.slice(3);
    }
    const fragments = this.fragments;
    if (fragments) {
      if (text.indexOf('\n') === -1 && text.indexOf('\r') === -1) {
        fragments.push(text);
        return;
      }
      fragments.push(text);
      text = fragments.join('');
      this.fragments = undefined;
    }
    const rest = this.lines(text);
    if (rest !== '') this.fragments = [rest];
  }

  /** Reads every complete line of `text`; returns what follows the last line end. */
  private lines(text: string): string {
    let at = 0;
    if (text.indexOf('\r') === -1) {
      for (let lf = text.indexOf('\n'); lf !== -1; lf = text.indexOf('\n', at)) {
        // A whole frame in its usual form, begun with nothing pending: read at once, not line by line.
        if (this.dataLines === 0 && this.type === undefined) {
          const next = this.frame(text, at, lf);
          if (next !== -1) {
            at = next;
            continue;
          }
        }
        this.line(text, at, lf);
        at = lf + 1;
      }
      return at === 0 ? text : text.slice(at);
    }
    while (at < text.length) {
      const cr = text.indexOf('\r', at);
      const lf = text.indexOf('\n', at);
      let end: number;
      // A CR last in the text waits for the next chunk: its LF may come there.
      if (cr !== -1 && lf !== -1) end = Math.min(cr, lf);
      else if (cr !== -1) end = cr === text.length - 1 ? -1 : cr;
      else end = lf;
      if (end === -1) break;
      this.line(text, at, end);
      at = end + 1;
      if (text.charCodeAt(at - 1) === CR && text.charCodeAt(at) === LF) at++;
    }
    return at === 0 ? text : text.slice(at);
  }

  /**
   * `event: T\ndata: X\n\n` (T not empty) or `data: X\n\n` at `start` (`lf`: the first line end
   * after it, the text holding no CR): dispatches (T or none, X) and returns where the next frame
   * starts; -1 for anything else, left to line(). With nothing pending before it, line() reads such
   * a frame as exactly that event and ends idle again, as this leaves the reader; only the three
   * calls of line() per event, each testing for every kind of line, are saved (issue 20: every
   * upstream event of every stream passes here, between the upstream's bytes and the client's).
   */
  private frame(text: string, start: number, lf: number): number {
    const c = text.charCodeAt(start);
    if (isData(text, start, c) && text.charCodeAt(start + 5) === SPACE) {
      if (text.charCodeAt(lf + 1) !== LF) return -1;
      this.onEvent(undefined, text.slice(start + 6, lf));
      return lf + 2;
    }
    if (!isEvent(text, start, c) || text.charCodeAt(start + 6) !== SPACE || lf === start + 7 || !text.startsWith('data: ', lf + 1))
      return -1;
    const end = text.indexOf('\n', lf + 7);
    if (end === -1 || text.charCodeAt(end + 1) !== LF) return -1;
    this.onEvent(text.slice(start + 7, lf), text.slice(lf + 7, end));
    return end + 2;
  }

  private line(text: string, start: number, end: number): void {
    if (start === end) {
      if (this.dataLines > 0) this.onEvent(this.type, this.data);
      this.data = '';
      this.dataLines = 0;
      this.type = undefined;
      return;
    }
    const c = text.charCodeAt(start);
    if (isData(text, start, c)) {
      this.addData(text.slice(text.charCodeAt(start + 5) === SPACE ? start + 6 : start + 5, end));
      return;
    }
    if (isEvent(text, start, c)) {
      this.type = text.slice(text.charCodeAt(start + 6) === SPACE ? start + 7 : start + 6, end) || undefined;
      return;
    }
    if (c === COLON) {
      this.onComment?.(text.slice(text.charCodeAt(start + 1) === SPACE ? start + 2 : start + 1, end));
      return;
    }
    // Other fields, and `data`/`event` written without a colon (an empty value).
    const colon = text.indexOf(':', start);
    const fieldEnd = colon === -1 || colon > end ? end : colon;
    const field = text.slice(start, fieldEnd);
    if (field !== 'data' && field !== 'event') return;
    const value = fieldEnd === end ? '' : text.slice(text.charCodeAt(fieldEnd + 1) === SPACE ? fieldEnd + 2 : fieldEnd + 1, end);
    if (field === 'data') this.addData(value);
    else this.type = value || undefined;
  }

  private addData(value: string): void {
    this.data = this.dataLines === 0 ? value : `${this.data}\n${value}`;
    this.dataLines++;
  }
}

function isData(text: string, i: number, c: number): boolean {
  return (
    c === 100 &&
    text.charCodeAt(i + 1) === 97 &&
    text.charCodeAt(i + 2) === 116 &&
    text.charCodeAt(i + 3) === 97 &&
    text.charCodeAt(i + 4) === COLON
  );
}

function isEvent(text: string, i: number, c: number): boolean {
  return (
    c === 101 &&
    text.charCodeAt(i + 1) === 118 &&
    text.charCodeAt(i + 2) === 101 &&
    text.charCodeAt(i + 3) === 110 &&
    text.charCodeAt(i + 4) === 116 &&
    text.charCodeAt(i + 5) === COLON
  );
}

/**
 * Whether a StringDecoder would hold back the end of `bytes` as an incomplete character: the test
 * of Node's string_decoder.cc (a lead byte whose sequence is longer than what follows it, looked
 * for within the last four bytes).
 */
export function endsInsideCharacter(bytes: Uint8Array): boolean {
  let buffered = 0;
  for (let i = bytes.length - 1; i >= 0; i--) {
    buffered++;
    const b = bytes[i]!;
    if ((b & 0xc0) === 0x80) {
      if (buffered >= 4 || i === 0) return false;
      continue;
    }
    const need = (b & 0xe0) === 0xc0 ? 2 : (b & 0xf0) === 0xe0 ? 3 : (b & 0xf8) === 0xf0 ? 4 : 0;
    return buffered < need;
  }
  return false;
}
