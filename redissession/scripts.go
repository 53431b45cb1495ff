package redissession

import "github.com/redis/go-redis/v9"

// appendScript appends ARGV[4..] to the list KEYS[1] as one atomic step:
//
//   - when ARGV[2] > 0 it first sets the batch's token key KEYS[2] (in the
//     list's hash slot) for ARGV[2] milliseconds, and when that key is set
//     already the batch was added before (the client sent the command twice,
//     retrying after a network error): it returns 0 and adds nothing;
//   - RPUSH, in chunks, as Lua's unpack is bounded by the C stack (about 8,000
//     values), so a key of the wrong type fails the script before anything of
//     the list changes;
//   - PEXPIRE to ARGV[1] milliseconds when ARGV[1] > 0;
//   - LTRIM to the newest ARGV[3] items when ARGV[3] > 0.
//
// It returns 1 when it added the batch.
var appendScript = redis.NewScript(`
if tonumber(ARGV[2]) > 0 then
  if not redis.call('SET', KEYS[2], '1', 'NX', 'PX', ARGV[2]) then
    return 0
  end
end
local n = #ARGV
for i = 4, n, 1000 do
  redis.call('RPUSH', KEYS[1], unpack(ARGV, i, math.min(i + 999, n)))
end
if tonumber(ARGV[1]) > 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
local max = tonumber(ARGV[3])
if max > 0 then
  redis.call('LTRIM', KEYS[1], -max, -1)
end
return 1
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
