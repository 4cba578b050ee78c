// Lua scripts of the Redis lease store (redis.ts). Each runs atomically in Redis: that is what
// makes allocation safe across fleet nodes (no two nodes hold one SPI block, one dedicated
// locator or one (HIT, Lease ID)). Keys (prefix P, one hash tag so a Redis Cluster keeps them
// in one slot):
//   P lease:HIT:ID   hash s (immutable JSON), e (expiry ms), h/hp (host locator), t (tunnel),
//                    r (Request ID), n (holder node), v (version); PEXPIREAT e
//   P spi:BLOCK      claim of one SPI block (value HIT:ID), PEXPIREAT e
//   P addr:IP|PORT   claim of one dedicated locator, PEXPIREAT e
//   P leases         sorted set HIT:ID by expiry (load, cleanup)
//   P hit:HIT        set of HIT:ID (HIT → lease index)
//   P host:IP|PORT   set of HIT:ID (host locator index)
//   P ver            the change counter: every create, renewal and removal takes the next value,
//                    stored as the lease's v and published with the change (docs/PROTOCOL.md §13.2)
// Changes are published on channel P changes: "P\tHIT:ID\ts\te\th\thp\tt\tr\tn\tv" or "D\tHIT:ID\tv".

/** KEYS: lease, leases, hit index, host index, claims…; ARGV: member, e, s, h, hp, t, r, n, channel, prefix.
 *  Returns the version (>= 1), or 0 when the lease or any claim is held already (a conflict). */
export const CREATE = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
for i = 5, #KEYS do if redis.call('EXISTS', KEYS[i]) == 1 then return 0 end end
for i = 5, #KEYS do redis.call('SET', KEYS[i], ARGV[1], 'PXAT', ARGV[2]) end
local v = redis.call('INCR', ARGV[10] .. 'ver')
redis.call('HSET', KEYS[1], 's', ARGV[3], 'e', ARGV[2], 'h', ARGV[4], 'hp', ARGV[5], 't', ARGV[6], 'r', ARGV[7], 'n', ARGV[8], 'v', v)
redis.call('PEXPIREAT', KEYS[1], ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
redis.call('SADD', KEYS[3], ARGV[1])
redis.call('SADD', KEYS[4], ARGV[1])
redis.call('PUBLISH', ARGV[9], table.concat({'P', ARGV[1], ARGV[3], ARGV[2], ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8], v}, '\\t'))
return v`;

/** KEYS: lease, leases, new host index, claims…; ARGV: member, e, h, hp, t, r, n, channel, prefix.
 *  The stored expiry becomes max(stored, e): a renewal never shortens a lease (§4.4.1).
 *  Returns {stored expiry, version}, or nil when the lease is gone. */
export const RENEW = `
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
local e = tonumber(ARGV[2])
local cur = tonumber(redis.call('HGET', KEYS[1], 'e'))
if cur and cur > e then e = cur end
local es = string.format('%d', e)
local oh = redis.call('HMGET', KEYS[1], 'h', 'hp')
if oh[1] and (oh[1] ~= ARGV[3] or oh[2] ~= ARGV[4]) then redis.call('SREM', ARGV[9] .. 'host:' .. oh[1] .. '|' .. oh[2], ARGV[1]) end
local v = redis.call('INCR', ARGV[9] .. 'ver')
redis.call('HSET', KEYS[1], 'e', es, 'h', ARGV[3], 'hp', ARGV[4], 't', ARGV[5], 'r', ARGV[6], 'n', ARGV[7], 'v', v)
redis.call('PEXPIREAT', KEYS[1], es)
for i = 4, #KEYS do redis.call('PEXPIREAT', KEYS[i], es) end
redis.call('ZADD', KEYS[2], es, ARGV[1])
redis.call('SADD', KEYS[3], ARGV[1])
local s = redis.call('HGET', KEYS[1], 's')
redis.call('PUBLISH', ARGV[8], table.concat({'P', ARGV[1], s, es, ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7], v}, '\\t'))
return {es, v}`;

/** KEYS: lease, leases, hit index, claims…; ARGV: member, now ('' = release), channel, prefix.
 *  Expiry (now given) keeps a lease another node renewed: returns 0 then. */
export const DROP = `
if redis.call('EXISTS', KEYS[1]) == 1 then
  if ARGV[2] ~= '' and tonumber(redis.call('HGET', KEYS[1], 'e')) > tonumber(ARGV[2]) then return 0 end
  local oh = redis.call('HMGET', KEYS[1], 'h', 'hp')
  if oh[1] then redis.call('SREM', ARGV[4] .. 'host:' .. oh[1] .. '|' .. oh[2], ARGV[1]) end
  redis.call('DEL', KEYS[1])
end
for i = 4, #KEYS do if redis.call('GET', KEYS[i]) == ARGV[1] then redis.call('DEL', KEYS[i]) end end
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('SREM', KEYS[3], ARGV[1])
local v = redis.call('INCR', ARGV[4] .. 'ver')
redis.call('PUBLISH', ARGV[3], 'D\\t' .. ARGV[1] .. '\\t' .. v)
return 1`;
