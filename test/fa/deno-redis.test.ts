// Issue 15 Deliver 1: the Deno FA on the shared Redis lease store. Two Deno FA processes
// (src/cli/fa-deno.ts --store redis://…) and one Node FA (`hipmm fa --store redis://…`) share
// one real redis-server: a lease granted by Deno FA A is in Redis, renewed through Deno FA B and
// through the Node FA (same Lease ID and SPI range, never shortened, §4.4.1), and a second host's
// lease at B gets a disjoint SPI range (allocation is atomic across processes); A SIGKILLed and
// restarted loads the lease, probes its holder and forwards to it. Real processes, real UDP on
// 127.0.0.1.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { SeededRng } from "../../src/core/rng.ts";
import type { Locator } from "../../src/core/types.ts";
import type { FaqFields } from "../../src/fa/core/messages.ts";
import { RedisLeaseStore } from "../../src/fa/store/redis.ts";
import { probeType } from "../../src/fa/core/holder-probe.ts";
import { unwrapRelay } from "../../src/fa/core/relay.ts";
import { TunnelFrameType } from "../../src/wire/tunnel.ts";
import { hitHex } from "../../src/fa/core/lease.ts";
import { HostIdentity } from "../../src/hip/identity.ts";
import { PacketType } from "../../src/wire/constants.ts";
import { denoPath, denoSkip } from "../helpers/deno.ts";
import { haveRedis, RedisServer } from "../helpers/redis.ts";
import { type FaProcess, freeUdpPort, spawnFa } from "../tunnel/harness.ts";
import { faq, hitBytes, Udp } from "./fleet-harness.ts";
import { espPacket } from "./harness.ts";

type V4 = { ip: string; minSpi: number; maxSpi: number };

const denoFa = (key: string, url: string, port = 0) => spawnFa(denoPath, ["run", "--unstable-net", "-A", "src/cli/fa-deno.ts", "--udp", `127.0.0.1:${port}`, "--store", url, "--puzzle", "off", "--id", key], 60_000);

/** FAQ until the FA answers FAA: another process's lease reaches its cache within a round trip. */
async function renewUntilGranted(u: Udp, fa: Locator, id: HostIdentity, faHit: Uint8Array, f: Omit<FaqFields, "requestId">, firstRequestId: number) {
  let last: Awaited<ReturnType<typeof faq>> | undefined;
  for (let i = 0; i < 50; i++) {
    last = await faq(u, fa, id, faHit, { ...f, requestId: firstRequestId + i });
    if (last.packetType === PacketType.FAA) return { answer: last, requestId: firstRequestId + i };
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`no FAA from ${fa.ip}:${fa.port}: last answer ${last?.packetType}`);
}

test("deno FA on Redis: a lease granted by Deno FA A is renewed through Deno FA B and a Node FA; A restarts and loses nothing", { skip: denoSkip(), timeout: 180_000 }, async (t) => {
  if (!haveRedis()) return t.skip("redis-server not installed (.ci/run installs it)");
  const dir = mkdtempSync(join(tmpdir(), "hipmm-deno-redis-"));
  const key = join(dir, "fa.key");
  const redis = await RedisServer.start();
  const fas: FaProcess[] = [];
  const host = await Udp.open();
  const host2 = await Udp.open();
  let view: RedisLeaseStore | undefined;
  try {
    const aPort = await freeUdpPort();
    fas.push(await denoFa(key, redis.url, aPort)); // A writes the shared identity file first
    const nodePort = await freeUdpPort();
    fas.push(
      ...(await Promise.all([
        denoFa(key, redis.url),
        spawnFa(process.execPath, ["--import", "tsx", "test/fa/fixtures/fa-cli.ts", "--id", key, "--udp", `127.0.0.1:${nodePort}`, "--store", redis.url, "--puzzle", "off", "--log", "json"], 60_000),
      ])),
    );
    const [a, b, n] = fas;
    const faHit = hitBytes(a.ready);
    assert.deepEqual(hitBytes(b.ready), faHit, "one FA identity");
    const id = HostIdentity.generate(new SeededRng(1513));

    // A grants: the lease is in Redis.
    const t0 = Date.now();
    const faa = await faq(host, a.ready.udp[0], id, faHit, { requestId: 1, leaseId: 0, lifetime: 300, addrType: 4, spis: 16 });
    assert.equal(faa.packetType, PacketType.FAA);
    const info = faa.info!;
    const addr = info.address as V4;
    assert.deepEqual({ ip: addr.ip, port: info.port }, a.ready.udp[0], "leased at A's locator");
    view = await RedisLeaseStore.open({ url: redis.url });
    const stored = (await view.load(Date.now())).find((l) => l.hit === hitHex(id.hit) && l.leaseId === info.leaseId);
    assert.ok(stored, "the lease is in Redis");
    assert.equal(stored.spiMin, addr.minSpi);

    // Renewed through Deno FA B: same lease, same range, longer.
    const viaB = await renewUntilGranted(host, b.ready.udp[0], id, faHit, { leaseId: info.leaseId, lifetime: 600, addrType: 4, spis: 16 }, 2);
    const bInfo = viaB.answer.info!;
    assert.equal(bInfo.leaseId, info.leaseId);
    assert.equal((bInfo.address as V4).minSpi, addr.minSpi);
    assert.equal((bInfo.address as V4).maxSpi, addr.maxSpi);
    assert.ok(bInfo.leaseDuration >= 590, `renewed for ${bInfo.leaseDuration} s`);

    // Renewed through the Node FA, asking for less: never shortened (§4.4.1).
    const viaN = await renewUntilGranted(host, n.ready.udp[0], id, faHit, { leaseId: info.leaseId, lifetime: 60, addrType: 4, spis: 16 }, viaB.requestId + 1);
    assert.equal(viaN.answer.info!.leaseId, info.leaseId);
    assert.equal((viaN.answer.info!.address as V4).minSpi, addr.minSpi);
    const after = (await view.load(Date.now())).find((l) => l.hit === hitHex(id.hit) && l.leaseId === info.leaseId);
    assert.ok(after && after.expires >= t0 + 590_000, "Redis holds the longer expiry B granted");

    // A second host at B: a disjoint SPI range (claims are atomic in Redis across processes).
    const id2 = HostIdentity.generate(new SeededRng(1514));
    const faa2 = await faq(host2, b.ready.udp[0], id2, faHit, { requestId: 1, leaseId: 0, lifetime: 300, addrType: 4, spis: 16 });
    assert.equal(faa2.packetType, PacketType.FAA);
    const addr2 = faa2.info!.address as V4;
    assert.ok(addr2.maxSpi < addr.minSpi || addr2.minSpi > addr.maxSpi, `disjoint ranges ${addr.minSpi}-${addr.maxSpi} / ${addr2.minSpi}-${addr2.maxSpi}`);

    // A is SIGKILLed and restarted on its locator: it loads the lease from Redis, probes its
    // holder ("we are back", holder-probe.ts) and forwards to it with no new FAQ.
    await a.kill();
    fas[0] = await denoFa(key, redis.url, aPort);
    const peer = await Udp.open();
    try {
      let relayed: Uint8Array | undefined;
      let probed = false;
      for (let i = 0; i < 50 && !relayed; i++) {
        peer.send(espPacket(addr.minSpi + 1, 100 + i, 200), a.ready.udp[0]);
        const d = await host.next((x) => x.from.port === aPort, 200).catch(() => undefined);
        if (d && probeType(d.data) === TunnelFrameType.PING) probed = true;
        else if (d) relayed = d.data;
      }
      assert.ok(probed, "the restarted Deno FA probed the holder of the restored lease");
      const f = relayed ? unwrapRelay(relayed) : undefined;
      assert.ok(f && f.payload.length === 200, "the restarted Deno FA forwards the stored lease");
      assert.equal(new DataView(f.payload.buffer, f.payload.byteOffset).getUint32(0), addr.minSpi + 1);
    } finally {
      peer.close();
    }

    // Released through A (zero lifetime): gone from Redis.
    await faq(host, a.ready.udp[0], id, faHit, { requestId: viaN.requestId + 1, leaseId: info.leaseId, lifetime: 0, addrType: 4, spis: 16 }).catch(() => undefined);
    let gone = false;
    for (let i = 0; i < 50 && !gone; i++) {
      gone = !(await view.load(Date.now())).some((l) => l.hit === hitHex(id.hit) && l.leaseId === info.leaseId);
      if (!gone) await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(gone, "released lease removed from Redis");
  } finally {
    await view?.close();
    await Promise.all(fas.map((f) => f.kill()));
    host.close();
    host2.close();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("deno FA: --store names an unreachable Redis → exit 1 with the reason; a SQLite path is refused", { skip: denoSkip(), timeout: 60_000 }, async () => {
  const { runDeno } = await import("../helpers/deno.ts");
  const port = await freeUdpPort(); // nothing listens on this TCP port number either (loopback)
  const r = await runDeno(["run", "--unstable-net", "-A", "src/cli/fa-deno.ts", "--udp", "127.0.0.1:0", "--store", `redis://127.0.0.1:${port}`], { timeoutMs: 30_000 });
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /--store redis:\/\/127\.0\.0\.1:\d+: cannot reach Redis/);
  const s = await runDeno(["run", "--unstable-net", "-A", "src/cli/fa-deno.ts", "--udp", "127.0.0.1:0", "--store", "leases.db"], { timeoutMs: 30_000 });
  assert.equal(s.code, 2, s.stderr);
  assert.match(s.stderr, /--store must be memory or redis:\/\//);
});
