#!/usr/bin/env python3
"""Reads and writes sessions exactly as the reference Python RedisSession lays
them out, with redis-py: one list per session at {prefix}:{session_id}, one
json.dumps(item) per element, oldest first, RPUSH then EXPIRE.

  pysession.py write URL PREFIX SESSION_ID TTL_SECONDS < items.json
      appends the JSON array on stdin (TTL 0: no expiry)
  pysession.py read URL PREFIX SESSION_ID
      prints {"items": [...], "ttl": seconds or -1 or -2}
"""
import json
import sys

import redis


def main() -> None:
    cmd, url, prefix, session_id = sys.argv[1:5]
    client = redis.Redis.from_url(url)
    key = f"{prefix}:{session_id}"
    if cmd == "write":
        ttl = int(sys.argv[5])
        items = json.load(sys.stdin)
        pipe = client.pipeline(transaction=True)
        pipe.rpush(key, *[json.dumps(item) for item in items])
        if ttl:
            pipe.expire(key, ttl)
        pipe.execute()
    elif cmd == "read":
        items = [json.loads(raw) for raw in client.lrange(key, 0, -1)]
        json.dump({"items": items, "ttl": client.ttl(key)}, sys.stdout)
    else:
        sys.exit(f"unknown command {cmd!r}")


if __name__ == "__main__":
    main()
