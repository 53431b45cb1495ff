// Package redissession is the Redis backend of agentsession: it stores each
// session as one Redis list, in the layout of the reference Python package's
// RedisSession, so that sessions written by either can be read by the other.
//
// # Layout
//
// A session is the list at key "{KeyPrefix}:{session ID}" (the default prefix
// is "openai_agents_session"). Each element is one item, a JSON object in UTF-8
// (this package writes compact JSON; the Python package writes json.dumps
// output with spaces, and both read either). The oldest item is at the head
// (index 0) and the newest at the tail. A session with no items has no key.
// Every command of an operation touches that one key, so with Redis Cluster a
// session lives in one hash slot.
//
// # Operations
//
//   - Append: one Lua script that sets the batch's token key (SET NX PX, in
//     the session's hash slot) so that a command go-redis re-sends after a
//     network error adds the batch once, then RPUSH, PEXPIRE when there is a
//     TTL and LTRIM when Options.MaxItems is set: atomic, so the items are
//     never stored without their expiry, and a key of the wrong type is left
//     untouched. With Options.Idempotency < 0 and no TTL or MaxItems it is a
//     plain RPUSH.
//   - Items: LRANGE 0 -1, or LRANGE -N -1 for the N newest, which reads only
//     those N elements whatever the session's length.
//   - Pop: RPOP, a single atomic command.
//   - Clear: UNLINK, which frees a long list in the background. It removes
//     the key whatever its type, which is how a damaged session is reset.
//
// Each operation is one round trip. TTLs are set in milliseconds, rounded up.
//
// # Clients
//
// New takes any redis.UniversalClient: a *redis.Client, a Sentinel failover
// client or a *redis.ClusterClient. The Backend never closes it.
//
// go-redis does not stop a command when its context is cancelled (and honours
// deadlines only with Options.ContextTimeoutEnabled), so every call here
// waits for the reply or for ctx, whichever comes first: a cancelled call
// returns ctx's error at once. A write whose context ends during the call may
// still land after it has returned, but always whole.
package redissession
