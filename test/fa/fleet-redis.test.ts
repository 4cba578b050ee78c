// Issue 15 items 3/5: Redis restarts mid-traffic. While it is down the nodes keep forwarding the
// leases they hold in cache and refuse new ones (FAD STORE_FAILED); when it is back they recover
// without a restart; a node SIGKILLed and restarted loses nothing (it loads the leases again).
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { SeededRng } from "../../src/core/rng.ts";
import { FadReason } from "../../src/fa/core/reasons.ts";
import { unwrapRelay } from "../../src/fa/core/relay.ts";
import { HostIdentity } from "../../src/hip/identity.ts";
import { PacketType } from "../../src/wire/constants.ts";
import { haveRedis, RedisServer } from "../helpers/redis.ts";
import { faq, type FleetNode, fleetSpec, hitBytes, killNode, startNode, Udp } from "./fleet-harness.ts";
import { espPacket } from "./harness.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test("fleet: Redis restart mid-traffic: cached leases keep forwarding, new ones refused then granted; a node restart loses nothing", { timeout: 180_000 }, async (t) => {
  if (!haveRedis()) return t.skip("redis-server not installed (.ci/run installs it)");
  const dir = mkdtempSync(join(tmpdir(), "hipmm-fleet-redis-"));
  const redis = await RedisServer.start(true);
  const nodes: FleetNode[] = [];
  const host = (await Udp.open()).answerProbes(); // a node that takes it over keeps forwarding
  const host2 = await Udp.open();
  const peer = await Udp.open();
  let timer: ReturnType<typeof setInterval> | undefined;
  try {
    const f = await fleetSpec(dir, redis.url);
    nodes.push(await startNode(f, "b", "127.0.0.3"));
    nodes.push(await startNode(f, "a", "127.0.0.2"));
    const faHit = hitBytes(nodes[1].ready);
    const id = HostIdentity.generate(new SeededRng(2500));
    const id2 = HostIdentity.generate(new SeededRng(2501));
    const faa = await faq(host, nodes[1].control, id, faHit, { requestId: 1, leaseId: 0, lifetime: 300, addrType: 4, spis: 16 });
    assert.equal(faa.packetType, PacketType.FAA);
    const spi = (faa.info!.address as { minSpi: number }).minSpi;
    let seq = 0;
    timer = setInterval(() => peer.send(espPacket(spi, ++seq, 100), f.shared), 5);
    const received = () => host.queue.length;
    await host.next(() => true); // flowing
    // Redis dies
    await redis.kill();
    const atKill = received();
    await sleep(300);
    const fad = await faq(host2, nodes[0].control, id2, faHit, { requestId: 1, leaseId: 0, lifetime: 300, addrType: 4, spis: 16 });
    assert.equal(fad.packetType, PacketType.FAD);
    assert.equal(fad.notifyType, FadReason.STORE_FAILED, "new leases refused while the store is down");
    await sleep(300);
    assert.ok(received() > atKill + 20, `forwarding from cache continued while Redis was down (${received() - atKill} packets)`);
    // Redis is back (append-only file): the fleet recovers by itself
    await redis.run();
    let granted = false;
    for (let r = 2; r < 60 && !granted; r++) {
      const a = await faq(host2, nodes[0].control, id2, faHit, { requestId: r, leaseId: 0, lifetime: 300, addrType: 4, spis: 16 }).catch(() => undefined);
      granted = a?.packetType === PacketType.FAA;
      if (!granted) await sleep(200);
    }
    assert.ok(granted, "a new lease is granted once Redis is back, no node restarted");
    assert.ok(nodes.every((n) => n.lines.some((l) => String(l.msg).startsWith("lease store unreachable"))), "each node logged the outage");
    // node a (holding the host) is SIGKILLed and restarted on the same address: nothing lost
    const control = nodes[1].control;
    await killNode(nodes[1]);
    nodes[1] = await startNode(f, "a", control.ip, control.port);
    assert.equal(nodes[1].ready.leases, 2, "both leases loaded from Redis");
    host.queue.length = 0;
    // (the FA may also probe the host: wait for a forwarded ESP packet). While a was down, b took
    // the host over (docs/PROTOCOL.md §13.1): the restarted a, which the shared locator's packets
    // reach again, passes them to b, or a holds the host again.
    const fleetIps = nodes.map((n) => n.control.ip);
    const d = await host.next((x) => fleetIps.includes(x.from.ip) && unwrapRelay(x.data)?.payload.length === 100);
    assert.equal(unwrapRelay(d.data)?.dst?.port, f.shared.port, "forwarding through the fleet after the restart");
  } finally {
    if (timer) clearInterval(timer);
    for (const n of nodes) await killNode(n);
    host.close();
    host2.close();
    peer.close();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
