// Issue 15 item 5: concurrent FAQ storms at three real nodes sharing one Redis never
// double-allocate. The SPI space is narrowed to 128 blocks and 160 leases are asked for at once
// (two per host, at two different nodes), so nodes race for blocks and run out: every FAA's
// blocks must be claimed in Redis by exactly that lease, and no two FAAs may overlap.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { SeededRng } from "../../src/core/rng.ts";
import { hitHex } from "../../src/fa/core/lease.ts";
import { FadReason } from "../../src/fa/core/reasons.ts";
import { RedisLeaseStore } from "../../src/fa/store/redis.ts";
import { HostIdentity } from "../../src/hip/identity.ts";
import { PacketType } from "../../src/wire/constants.ts";
import { haveRedis, RedisServer } from "../helpers/redis.ts";
import { faq, type FleetNode, fleetSpec, hitBytes, killNode, startNode, Udp } from "./fleet-harness.ts";

const HOSTS = 80;
const BLOCKS = 128;

test("fleet: FAQ storms at three nodes never double-allocate an SPI block", { timeout: 180_000 }, async (t) => {
  if (!haveRedis()) return t.skip("redis-server not installed (.ci/run installs it)");
  const dir = mkdtempSync(join(tmpdir(), "hipmm-storm-"));
  const redis = await RedisServer.start();
  const nodes: FleetNode[] = [];
  const socks: Udp[] = [];
  let store: RedisLeaseStore | undefined;
  try {
    const f = await fleetSpec(dir, redis.url, ["--spi-range", `0x10000-0x${(0x10000 + BLOCKS * 16 - 1).toString(16)}`]);
    nodes.push(await startNode(f, "a", "127.0.0.2"));
    nodes.push(await startNode(f, "b", "127.0.0.3"));
    nodes.push(await startNode(f, "c", "127.0.0.4"));
    const faHit = hitBytes(nodes[0].ready);
    const ids = Array.from({ length: HOSTS }, (_, i) => HostIdentity.generate(new SeededRng(7000 + i)));
    for (let i = 0; i < HOSTS; i++) socks.push(await Udp.open(`127.0.1.${1 + (i % 40)}`)); // under the per-source cap
    // every host at once; each asks again at the next node when answered (a host's Request IDs
    // grow: two concurrent new-lease FAQs of one host would look like a replay, §12)
    const ask = (i: number, k: number) => faq(socks[i], nodes[(i + k) % 3].control, ids[i], faHit, { requestId: 1 + k, leaseId: 0, lifetime: 300, addrType: 4, spis: 16 }, 30_000);
    const answers = (await Promise.all(ids.map(async (_, i) => [await ask(i, 0), await ask(i, 1)]))).flat();
    const granted = answers.filter((a) => a.packetType === PacketType.FAA);
    const refused = answers.filter((a) => a.packetType === PacketType.FAD);
    assert.equal(granted.length + refused.length, 2 * HOSTS);
    assert.ok(granted.length <= BLOCKS && granted.length >= BLOCKS / 2, `granted ${granted.length}`);
    for (const r of refused) assert.ok(r.notifyType === FadReason.NO_SPIS || r.notifyType === FadReason.STORE_FAILED, `FAD ${r.notifyType}`);
    // no two FAAs share a block
    const owner = new Map<number, string>();
    for (const g of granted) {
      const a = g.info!.address as { minSpi: number; maxSpi: number };
      const who = `${hitHex(g.receiverHit)}:${g.info!.leaseId}`;
      for (let b = a.minSpi >>> 4; b <= a.maxSpi >>> 4; b++) {
        assert.equal(owner.get(b), undefined, `block ${b} granted twice`);
        owner.set(b, who);
      }
    }
    // Redis holds exactly the granted leases, each block claimed by its lease
    store = await RedisLeaseStore.open({ url: redis.url });
    const held = await store.load(Date.now());
    const why = refused.map((x) => x.notifyType).join(",");
    assert.equal(held.length, granted.length, `every FAA is a lease in the store, nothing more (FADs ${why})`);
    const r = store.client as { get(k: string): Promise<string | null> };
    for (const [b, who] of owner) assert.equal(await r.get(`${store.prefix}spi:${b}`), who);
  } finally {
    await store?.close();
    for (const n of nodes) await killNode(n);
    for (const s of socks) s.close();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
