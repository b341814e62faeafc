// Where each event a pass-through relay reads sits in the upstream's bytes, when those bytes are
// exactly the frame the relay would write for it (`event: <type>\ndata: <data>\n\n`): the relay can
// then write the upstream's bytes as they came instead of re-framing the event as a string that the
// client's sink joins and encodes again (issue 20, pass-through SSE: on the bench's Responses stream
// that was the frames' strings, their ~4.3 KB join flattened, and its encoding, per request).
//
// Why the output cannot change: spans are given only in a chunk the SSE reader starts reading with
// nothing pending (SseReader.idle), from its start and from the end of each frame matched before.
// Read from such a place, text of the form `event: T\ndata: X\n\n` (T and X without CR or LF) is
// the event (T, X), and no other: so when the event the reader hands over has the type T and a data
// of X's length, it is that frame, and its bytes are the frame the relay would make. The data itself
// need not be compared (that was ~1.2 us per event, most of this file's cost): a CR or LF inside X
// would have ended the reader's data line there, and the character after the data would then not be
// the LF checked for. Anything else (comments, `id:` lines, CRLF, a missing space, multi-line data,
// a frame split across chunks, a byte-order mark) gets no span, and the relay re-frames that event as
// before. Bytes and text offsets agree because the chunk is first checked to be whole UTF-8 (decoded
// without replacement characters) and then read from its text.
import { isUtf8 } from 'node:buffer';

const LF = 10;

export class FrameSpans {
  /** The current event's bytes: `chunk` [start, end) when they are its canonical frame, else chunk undefined. */
  chunk: Buffer | undefined;
  start = 0;
  end = 0;
  private current: Buffer | undefined;
  private text = '';
  /** Where the next frame should start in `text`, -1 once a frame did not match (the rest of the chunk gets no spans). */
  private at = -1;
  private byteAt = 0;
  private ascii = false;
  /** A chunk was not whole UTF-8: the reader may hold part of a character from here on, so no more spans. */
  private off = false;

  /**
   * What to feed the SSE reader for `chunk`: its text, decoded as the reader would, when its frames
   * can be matched; otherwise the chunk itself (the reader decodes it, as it always did). `idle`:
   * whether the reader has nothing pending (SseReader.idle); if not, this chunk gets no spans.
   */
  begin(chunk: Buffer | string, idle: boolean): Buffer | string {
    if (this.off || typeof chunk === 'string') return this.stop(chunk);
    const text = chunk.toString('utf8');
    // As many characters as bytes and no U+FFFD (what an invalid byte decodes to): every byte was
    // ASCII, so the chunk is whole UTF-8 without asking isUtf8 (the usual case: one native call
    // less per chunk). Otherwise isUtf8 decides, and the text of a chunk that is not is dropped.
    const ascii = text.length === chunk.length && text.indexOf('\uFFFD') === -1;
    if (!ascii && !isUtf8(chunk)) return this.stop(chunk);
    this.current = chunk;
    this.text = text;
    this.at = idle ? 0 : -1;
    this.byteAt = 0;
    this.ascii = ascii;
    return text;
  }

  /** No spans from here on: the reader is handed `chunk` as it came. */
  private stop(chunk: Buffer | string): Buffer | string {
    this.off = true;
    this.current = undefined;
    this.at = -1;
    return chunk;
  }

  /** The chunk has been read: no span refers to it from now on (a relay keeps what it took). */
  done(): void {
    this.current = undefined;
    this.chunk = undefined;
    this.text = '';
    this.at = -1;
  }

  /** Sets `chunk`/`start`/`end` for the event just read: its frame's bytes, or none. */
  match(type: string, data: string): void {
    this.chunk = undefined;
    const text = this.text;
    const i = this.at;
    if (i < 0) return;
    const d = i + 14 + type.length;
    const e = d + data.length;
    if (
      text.startsWith('event: ', i) &&
      text.startsWith(type, i + 7) &&
      text.charCodeAt(i + 7 + type.length) === LF &&
      text.startsWith('data: ', i + 8 + type.length) &&
      text.charCodeAt(e) === LF &&
      text.charCodeAt(e + 1) === LF
    ) {
      const bytes = this.ascii ? e + 2 - i : 16 + Buffer.byteLength(type) + Buffer.byteLength(data);
      this.chunk = this.current;
      this.start = this.byteAt;
      this.end = this.byteAt + bytes;
      this.at = e + 2;
      this.byteAt += bytes;
      return;
    }
    this.at = -1;
  }
}
