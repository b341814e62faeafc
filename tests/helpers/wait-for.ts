// The one way tests wait for something to happen: poll a condition with a deadline, and fail with
// what was awaited. Fixed sleeps either waste time on a quiet machine or flake on a busy one; an
// unbounded loop hangs the suite instead of failing it.

/**
 * Resolves with the first truthy value `check` returns (sync or async), polling every `intervalMs`;
 * rejects naming `what` once `timeoutMs` has passed. The default deadline is generous because it is
 * only reached when something is wrong, and a loaded 2-core CI machine is slow.
 */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  timeoutMs = 10_000,
  what = 'condition',
  intervalMs = 10,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
