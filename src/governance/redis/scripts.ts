// The Lua scripts behind the Redis CounterStore. Redis runs a script atomically (nothing else
// runs between its reads and writes), which is what makes reserve() and hitAll() all-or-nothing
// across replicas. The arithmetic mirrors memory-counter-store.ts and sliding-window.ts exactly.
//
// Budget scope: a hash { s = spent, r = reserved } in integer nano-dollars (HINCRBY is exact).
// Window: a hash { ms, st, c, p } = window length, bucket start, current and previous counts.

// Sets the expiry of a budget scope when the caller knows its period end (0 = never expires).
const EXPIRE = `
local function expire(key, at)
  if tonumber(at) > 0 then redis.call('PEXPIREAT', key, at) end
end
`;

/** KEYS: scopes. ARGV: per scope [limit (-1 = none), amount, expireAt]. Returns 0 or the 1-based refusing scope. */
export const RESERVE = `${EXPIRE}
for i = 1, #KEYS do
  local limit = tonumber(ARGV[i * 3 - 2])
  if limit >= 0 then
    local v = redis.call('HMGET', KEYS[i], 's', 'r')
    local used = (tonumber(v[1]) or 0) + (tonumber(v[2]) or 0)
    local amount = tonumber(ARGV[i * 3 - 1])
    if (amount > 0 and used + amount > limit) or (amount <= 0 and used >= limit) then return i end
  end
end
for i = 1, #KEYS do
  redis.call('HINCRBY', KEYS[i], 'r', ARGV[i * 3 - 1])
  expire(KEYS[i], ARGV[i * 3])
end
return 0
`;

/** KEYS: scopes. ARGV: [reserved, actual, expireAt per scope…]. Reserved never goes below zero. */
export const SETTLE = `${EXPIRE}
local reserved = tonumber(ARGV[1])
for i = 1, #KEYS do
  local r = (tonumber(redis.call('HGET', KEYS[i], 'r')) or 0) - reserved
  if r < 0 then r = 0 end
  redis.call('HSET', KEYS[i], 'r', string.format('%d', r))
  redis.call('HINCRBY', KEYS[i], 's', ARGV[2])
  expire(KEYS[i], ARGV[i + 2])
end
return 0
`;

/** KEYS: [scope]. ARGV: [spent, expireAt]. Sets the spend only when the scope does not exist (restore). */
export const SEED = `${EXPIRE}
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 's', ARGV[1], 'r', '0')
expire(KEYS[1], ARGV[2])
return 1
`;

/**
 * KEYS: window keys. ARGV: [now, then per key: windowMs, amount, limit (-1 = Infinity)].
 * Returns {0, 0} when every hit fits (and counts them all), else {i, retryAfterMs} counting none.
 */
export const HIT_ALL = `
local now = tonumber(ARGV[1])
local states = {}
local function load(key, ms)
  local w = states[key]
  if w and w.ms == ms then return w end
  local v = redis.call('HMGET', key, 'ms', 'st', 'c', 'p')
  -- A changed window length (key edited) starts a fresh window rather than mixing units.
  if w == nil and tonumber(v[1]) == ms then
    w = { ms = ms, st = tonumber(v[2]), c = tonumber(v[3]), p = tonumber(v[4]) }
  else
    w = { ms = ms, st = 0, c = 0, p = 0 }
  end
  states[key] = w
  return w
end
local function roll(w)
  local start = math.floor(now / w.ms) * w.ms
  -- A clock that steps back (another replica, NTP) must not wipe the counts.
  if start <= w.st then return end
  if start - w.st == w.ms then w.p = w.c else w.p = 0 end
  w.c = 0
  w.st = start
end
local function check(w, amount, limit)
  if limit < 0 then return 0 end
  roll(w)
  local elapsed = math.min(1, math.max(0, (now - w.st) / w.ms))
  local est = w.p * (1 - elapsed) + w.c
  if (amount > 0 and est + amount <= limit) or (amount <= 0 and est < limit) then return 0 end
  local target = limit - 1
  if amount > 0 then target = limit - amount end
  local toNext = w.st + w.ms - now
  if target < 0 then return toNext + w.ms end
  if w.c <= target and w.p > 0 then
    return math.max(1, math.ceil(((est - target) * w.ms) / w.p))
  end
  local x = 0
  if w.c > 0 then x = w.ms * (1 - target / w.c) end
  return math.max(1, math.ceil(toNext + x))
end
for i = 1, #KEYS do
  local base = i * 3 - 1
  local w = load(KEYS[i], tonumber(ARGV[base]))
  local retry = check(w, tonumber(ARGV[base + 1]), tonumber(ARGV[base + 2]))
  if retry > 0 then return { i, retry } end
end
for i = 1, #KEYS do
  local base = i * 3 - 1
  local w = load(KEYS[i], tonumber(ARGV[base]))
  roll(w)
  w.c = w.c + tonumber(ARGV[base + 1])
end
for key, w in pairs(states) do
  redis.call('HSET', key, 'ms', string.format('%.17g', w.ms), 'st', string.format('%.17g', w.st),
    'c', string.format('%.17g', w.c), 'p', string.format('%.17g', w.p))
  -- Two windows old, a window's counts no longer matter.
  redis.call('PEXPIRE', key, 2 * w.ms + 60000)
end
return { 0, 0 }
`;
