package redissession

import (
	"strconv"
	"strings"
)

// slot is the Redis Cluster hash slot of key: CRC16 (XMODEM) of its hash
// tag, the part between the first "{" and the first "}" after it when that
// part is not empty, or else of the whole key, modulo 16384.
func slot(key string) uint16 {
	return crc16(hashTag(key)) % 16384
}

// hashTag returns the part of key that Redis Cluster hashes.
func hashTag(key string) string {
	if open := strings.IndexByte(key, '{'); open >= 0 {
		if end := strings.IndexByte(key[open+1:], '}'); end > 0 {
			return key[open+1 : open+1+end]
		}
	}
	return key
}

// sameSlotKey returns a key that begins with key+suffix, or is
// "{key}"+suffix, and lies in the same hash slot as key, so that one script
// may touch both in a Cluster.
func sameSlotKey(key, suffix string) string {
	if hashTag(key) != key {
		// key has a hash tag, at its first "{": appending keeps it.
		return key + suffix
	}
	if key != "" && !strings.Contains(key, "}") {
		// Braces around the whole key make it the tag.
		return "{" + key + "}" + suffix
	}
	// A "}" with no tag before it: search for an ending that lands in the
	// slot. The tag-free key+suffix+n hashes whole; 1 in 16384 fits, so this
	// takes about 16,384 CRCs of a short string (well under a millisecond),
	// for keys of this rare shape only.
	want := slot(key)
	for n := 0; ; n++ {
		k := key + suffix + ":" + strconv.Itoa(n)
		if slot(k) == want {
			return k
		}
	}
}

// crc16 is CRC-16/XMODEM, the hash of Redis Cluster.
func crc16(s string) uint16 {
	var crc uint16
	for i := 0; i < len(s); i++ {
		crc ^= uint16(s[i]) << 8
		for range 8 {
			if crc&0x8000 != 0 {
				crc = crc<<1 ^ 0x1021
			} else {
				crc <<= 1
			}
		}
	}
	return crc
}
