// The Redis lease store (issue 15 item 1) against a real redis-server: atomic allocation across
// two connections (two nodes), renewal that never shortens, expiry that keeps a lease renewed
// elsewhere, HIT and host locator indexes, change notifications, and a restart that loses nothing.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Lease } from "../../src/fa/core/lease.ts";
import { RedisLeaseStore } from "../../src/fa/store/redis.ts";
import { haveRedis, RedisServer } from "../helpers/redis.ts";

const FAR = Date.now() + 3_600_000;

function lease(i: number, spiMin: number, over: Partial<Lease> = {}): Lease {
  return {
    hit: `2001002${i.toString(16).padStart(25, "0")}`,
    leaseId: 1,
    addrType: 4,
    locator: { ip: "127.0.0.10", port: 10500 },
    spiMin,
    spiMax: spiMin + 31,
    expires: FAR,
    firstExpiry: FAR,
    host: { ip: "127.0.0.1", port: 30000 + i },
    tunnel: false,
    requestId: 1,
    created: Date.now(),
    node: "a",
    ...over,
  };
}

async function waitFor(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(cond(), what);
}

test("redis store: two nodes never hold one SPI block; renewals never shorten; expiry keeps a renewed lease; changes reach the other node", { timeout: 60_000 }, async (t) => {
  if (!haveRedis()) return t.skip("redis-server not installed (.ci/run installs it)");
  const redis = await RedisServer.start(true);
  const a = await RedisLeaseStore.open({ url: redis.url });
  const b = await RedisLeaseStore.open({ url: redis.url });
  try {
    const seen: string[] = [];
    b.watch({ changed: (l) => seen.push(`put ${l.hit.slice(-1)} ${l.node} ${l.expires}`), removed: (h) => seen.push(`del ${h.slice(-1)}`), reloaded: () => {} });
    await new Promise((r) => setTimeout(r, 200)); // subscribed
    assert.equal(await a.create(lease(1, 0x10000)), "ok");
    // overlapping block from another node, same (HIT, Lease ID), dedicated locator twice
    assert.equal(await b.create(lease(2, 0x10010)), "conflict");
    assert.equal(await b.create(lease(1, 0x20000)), "conflict");
    assert.equal(await b.create(lease(2, 0x10020)), "ok");
    const v6 = (i: number) => lease(i, 0, { addrType: 6, locator: { ip: "::1", port: 40000 }, spiMax: 0, leaseId: 2 });
    assert.equal(await a.create(v6(3)), "ok");
    assert.equal(await b.create(v6(4)), "conflict");
    // renewal: max(stored, asked); a holder change moves the host locator index
    assert.equal(await b.renew({ ...lease(1, 0x10000), expires: FAR - 1000, node: "b", host: { ip: "127.0.0.1", port: 31111 } }), FAR);
    assert.equal(await a.renew({ ...lease(1, 0x10000), expires: FAR + 5000 }), FAR + 5000);
    assert.equal(await a.renew(lease(9, 0x90000)), undefined, "unknown lease");
    const r = a.client as { smembers(k: string): Promise<string[]> };
    assert.deepEqual(await r.smembers(`${a.prefix}hit:${lease(1, 0).hit}`), [`${lease(1, 0).hit}:1`]);
    assert.deepEqual(await r.smembers(`${a.prefix}host:127.0.0.1|31111`), []);
    assert.deepEqual(await r.smembers(`${a.prefix}host:127.0.0.1|30001`), [`${lease(1, 0).hit}:1`]);
    // expiry: not due (another node renewed) → kept; release frees the block for anyone
    assert.equal(await b.expire(lease(1, 0).hit, 1, FAR), false);
    await a.release(lease(2, 0).hit, 1);
    assert.equal(await a.create(lease(5, 0x10020)), "ok");
    await waitFor(() => seen.includes("del 2") && seen.includes(`put 1 b ${FAR}`), `changes seen by node b: ${seen.join(", ")}`);
    // a short lease expires in Redis by itself: its blocks are free again
    assert.equal(await a.create(lease(6, 0x30000, { expires: Date.now() + 300 })), "ok");
    await new Promise((res) => setTimeout(res, 500));
    assert.equal(await b.create(lease(7, 0x30000)), "ok");
    // Redis crashes and comes back (append-only file): nothing lost
    const before = (await a.load(Date.now())).map((l) => `${l.hit}:${l.leaseId}:${l.expires}:${l.node}`).sort();
    assert.equal(before.length, 4); // 1, 3 (addr type 6), 5, 7
    await redis.kill();
    await assert.rejects(a.create(lease(8, 0x40000)), "refused at once while Redis is down");
    await redis.run();
    await waitFor(() => (a.client as { status: string }).status === "ready", "reconnected");
    assert.deepEqual((await a.load(Date.now())).map((l) => `${l.hit}:${l.leaseId}:${l.expires}:${l.node}`).sort(), before);
  } finally {
    await a.close();
    await b.close();
    await redis.stop();
  }
});
