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

// Reservations: a sorted set per scope (`<scope>:leases`) of members `<id>|<amount>` scored by
// lease deadline, and a marker per id once settled or released (`done:<id>`, kept two days), which
// makes settle and release idempotent and keeps a late reserve from landing after its release.
// A lease past its deadline (its replica died) is released by the next script that reaps the scope.
const REAP = `
local function reap(scope, leases, now)
  local expired = redis.call('ZRANGEBYSCORE', leases, '-inf', '(' .. now)
  if #expired == 0 then return end
  local total = 0
  for _, m in ipairs(expired) do total = total + tonumber(string.match(m, '|(%d+)$')) end
  redis.call('ZREMRANGEBYSCORE', leases, '-inf', '(' .. now)
  local r = (tonumber(redis.call('HGET', scope, 'r')) or 0) - total
  if r < 0 then r = 0 end
  redis.call('HSET', scope, 'r', string.format('%d', r))
end
`;

const DONE_TTL_MS = 2 * 86_400_000;

/**
 * KEYS: [done marker, scope…, leases…]. ARGV: [now, leaseUntil, member, amount, then per scope:
 * limit (-1 = none), expireAt]. Returns 0 (reserved, or already reserved under this id), the
 * 1-based refusing scope, or -1 when the id is already done.
 */
export const RESERVE = `${EXPIRE}${REAP}
local n = (#KEYS - 1) / 2
if redis.call('EXISTS', KEYS[1]) == 1 then return -1 end
local now = ARGV[1]
local member = ARGV[3]
local amount = tonumber(ARGV[4])
if redis.call('ZSCORE', KEYS[1 + n + 1], member) then return 0 end
for i = 1, n do reap(KEYS[1 + i], KEYS[1 + n + i], now) end
for i = 1, n do
  local limit = tonumber(ARGV[3 + i * 2])
  if limit >= 0 then
    local v = redis.call('HMGET', KEYS[1 + i], 's', 'r')
    local used = (tonumber(v[1]) or 0) + (tonumber(v[2]) or 0)
    if (amount > 0 and used + amount > limit) or (amount <= 0 and used >= limit) then return i end
  end
end
for i = 1, n do
  redis.call('HINCRBY', KEYS[1 + i], 'r', ARGV[4])
  redis.call('ZADD', KEYS[1 + n + i], ARGV[2], member)
  expire(KEYS[1 + i], ARGV[4 + i * 2])
  expire(KEYS[1 + n + i], ARGV[4 + i * 2])
end
return 0
`;

/**
 * KEYS: [done marker, scope…, leases…]. ARGV: [member, actual, then expireAt per scope]. Settles (or,
 * with actual 0, releases) a reservation once: its amount leaves `r` unless its lease was already
 * reaped; `s` grows by actual. Returns 0 when the id was already done.
 */
export const SETTLE = `${EXPIRE}
local n = (#KEYS - 1) / 2
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local member = ARGV[1]
local amount = tonumber(string.match(member, '|(%d+)$'))
for i = 1, n do
  if redis.call('ZREM', KEYS[1 + n + i], member) == 1 then
    local r = (tonumber(redis.call('HGET', KEYS[1 + i], 'r')) or 0) - amount
    if r < 0 then r = 0 end
    redis.call('HSET', KEYS[1 + i], 'r', string.format('%d', r))
  end
  redis.call('HINCRBY', KEYS[1 + i], 's', ARGV[2])
  expire(KEYS[1 + i], ARGV[2 + i])
end
redis.call('SET', KEYS[1], '1', 'PX', ${DONE_TTL_MS})
return 1
`;

/** KEYS: [scope]. ARGV: [usd, expireAt]. Spend without a reservation. */
export const ADD_SPEND = `${EXPIRE}
redis.call('HINCRBY', KEYS[1], 's', ARGV[1])
expire(KEYS[1], ARGV[2])
return 0
`;

/** KEYS: [scope, leases]. ARGV: [now]. The reserved amount after reaping expired leases. */
export const RESERVED = `${REAP}
reap(KEYS[1], KEYS[2], ARGV[1])
return tonumber(redis.call('HGET', KEYS[1], 'r')) or 0
`;

/** KEYS: [scope]. ARGV: [spent, expireAt]. Sets the spend only when the scope does not exist (restore). */
export const SEED = `${EXPIRE}
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 's', ARGV[1], 'r', '0')
expire(KEYS[1], ARGV[2])
return 1
`;

/**
 * KEYS: window keys. ARGV: [now, then per key: windowMs, amount, limit (-1 = Infinity), at (-1 = now:
 * the bucket the amount goes to; nothing once that bucket has left the window)].
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
  local base = i * 4 - 2
  local w = load(KEYS[i], tonumber(ARGV[base]))
  local retry = check(w, tonumber(ARGV[base + 1]), tonumber(ARGV[base + 2]))
  if retry > 0 then return { i, retry } end
end
for i = 1, #KEYS do
  local base = i * 4 - 2
  local w = load(KEYS[i], tonumber(ARGV[base]))
  roll(w)
  local amount = tonumber(ARGV[base + 1])
  local at = tonumber(ARGV[base + 3])
  local bucket = w.st
  if at >= 0 then bucket = math.floor(at / w.ms) * w.ms end
  if bucket >= w.st then
    w.c = w.c + amount
  elseif bucket == w.st - w.ms then
    w.p = math.max(0, w.p + amount)
  end
end
for key, w in pairs(states) do
  redis.call('HSET', key, 'ms', string.format('%.17g', w.ms), 'st', string.format('%.17g', w.st),
    'c', string.format('%.17g', w.c), 'p', string.format('%.17g', w.p))
  -- Two windows old, a window's counts no longer matter.
  redis.call('PEXPIRE', key, 2 * w.ms + 60000)
end
return { 0, 0 }
`;
