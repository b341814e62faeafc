// Sliding window counter (the approximation Cloudflare and nginx-style limiters use): windows are
// aligned fixed buckets, and the count "in the last windowMs" is estimated as
//   previous bucket × (share of it still inside the sliding window) + current bucket.
// O(1) memory per key whatever the limit, no burst of 2× at bucket edges like a plain fixed window.

export class SlidingWindow {
  private start = 0;
  private current = 0;
  private previous = 0;

  constructor(readonly windowMs: number) {}

  /** Moves the buckets forward to the window containing `now`. */
  private roll(now: number): void {
    const start = Math.floor(now / this.windowMs) * this.windowMs;
    // A clock that steps back (another process, NTP) must not wipe the counts.
    if (start <= this.start) return;
    this.previous = start - this.start === this.windowMs ? this.current : 0;
    this.current = 0;
    this.start = start;
  }

  estimate(now: number): number {
    this.roll(now);
    const elapsed = Math.min(1, Math.max(0, (now - this.start) / this.windowMs));
    return this.previous * (1 - elapsed) + this.current;
  }

  /**
   * 0 when `amount` fits under `limit` now, else the ms until it will (if nothing else is added).
   * A zero amount asks "is anything left": the key must be below its limit.
   */
  check(amount: number, limit: number, now: number): number {
    if (limit === Infinity) return 0;
    const est = this.estimate(now);
    if (amount > 0 ? est + amount <= limit : est < limit) return 0;
    // Counts are whole units, so "something left" means at least one unit free.
    const target = amount > 0 ? limit - amount : limit - 1;
    const toNextBucket = this.start + this.windowMs - now;
    if (target < 0) return toNextBucket + this.windowMs; // never fits; the most a retry hint can say
    // Still inside this bucket the previous bucket's weight decays linearly to zero.
    if (this.current <= target && this.previous > 0) {
      const excess = est - target;
      return Math.max(1, Math.ceil((excess * this.windowMs) / this.previous));
    }
    // Otherwise wait for the next bucket, where this bucket becomes the decaying previous one.
    const x = this.current > 0 ? this.windowMs * (1 - target / this.current) : 0;
    return Math.max(1, Math.ceil(toNextBucket + x));
  }

  /** Adds to the current bucket, or with `at` to the bucket holding `at` (nothing once it has left the window). */
  add(amount: number, now: number, at?: number): void {
    this.roll(now);
    const bucket = at === undefined ? this.start : Math.floor(at / this.windowMs) * this.windowMs;
    if (bucket >= this.start) this.current += amount;
    else if (bucket === this.start - this.windowMs) this.previous = Math.max(0, this.previous + amount);
  }
}
