package redissession

import "github.com/redis/go-redis/v9"

// appendScript appends ARGV[2..] to the list KEYS[1] and sets its expiry to
// ARGV[1] milliseconds, as one atomic step. RPUSH goes first, so a key of the
// wrong type fails the script before its expiry is touched. Arguments are
// pushed in chunks because Lua's unpack is bounded by the C stack (about 8,000
// values).
var appendScript = redis.NewScript(`
local n = #ARGV
for i = 2, n, 1000 do
  redis.call('RPUSH', KEYS[1], unpack(ARGV, i, math.min(i + 999, n)))
end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return n - 1
`)

// readRefreshScript returns LRANGE KEYS[1] ARGV[1] -1 and, when the list
// exists, sets its expiry to ARGV[2] milliseconds.
var readRefreshScript = redis.NewScript(`
local items = redis.call('LRANGE', KEYS[1], ARGV[1], -1)
if #items > 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return items
`)

// setTTLScript sets the expiry of the list KEYS[1] to ARGV[1] milliseconds, or
// removes it when ARGV[1] is 0; it returns 1 when the list exists, else 0. A
// key of another type fails with WRONGTYPE, as the other operations do.
var setTTLScript = redis.NewScript(`
if redis.call('LLEN', KEYS[1]) == 0 then
  return 0
end
if tonumber(ARGV[1]) > 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
else
  redis.call('PERSIST', KEYS[1])
end
return 1
`)
