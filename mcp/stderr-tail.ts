// Keeps the last few KB of a child process's stderr, so a server that fails to start or dies
// can be explained in one line of the gateway's output without buffering everything it prints.
export class StderrTail {
  private buffer = '';

  constructor(private readonly maxChars = 2_000) {}

  push(chunk: Buffer | string): void {
    this.buffer += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    if (this.buffer.length > this.maxChars * 2) this.buffer = this.buffer.slice(-this.maxChars);
  }

  /** The kept tail, trimmed, cut at a line start when possible. */
  text(): string {
    let tail = this.buffer.slice(-this.maxChars);
    if (tail.length < this.buffer.length) {
      const newline = tail.indexOf('\n');
      if (newline >= 0 && newline < tail.length - 1) tail = tail.slice(newline + 1);
    }
    return tail.trim();
  }
}
