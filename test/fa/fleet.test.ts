// Issue 15 item 2/5: three real `hipmm fa` nodes (127.0.0.2-.4) sharing leases in a real Redis.
// A lease granted at node A is honoured by every node; A is SIGKILLed: the node the shared
// locator's packets reach takes the host over (docs/PROTOCOL.md §13.1), the host keeps its leased
// locator and SPI range without a new FAQ; sending through node B it makes B its node and peers'
// packets reach it through B (node-to-node forwarding, HMAC-authenticated).
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { SeededRng } from "../../src/core/rng.ts";
import { unwrapRelay, wrapRelay } from "../../src/fa/core/relay.ts";
import { HostIdentity } from "../../src/hip/identity.ts";
import { PacketType } from "../../src/wire/constants.ts";
import { haveRedis, RedisServer } from "../helpers/redis.ts";
import { faq, type FleetNode, fleetSpec, hitBytes, killNode, startNode, Udp } from "./fleet-harness.ts";
import { espPacket } from "./harness.ts";

test("fleet: lease at node A, SIGKILL A, traffic continues through node B with the same locator and SPI range", { timeout: 120_000 }, async (t) => {
  if (!haveRedis()) return t.skip("redis-server not installed (.ci/run installs it)");
  const dir = mkdtempSync(join(tmpdir(), "hipmm-fleet-"));
  const redis = await RedisServer.start();
  const nodes: FleetNode[] = [];
  const host = (await Udp.open()).answerProbes();
  const peer = await Udp.open();
  try {
    const f = await fleetSpec(dir, redis.url);
    // A starts last: it holds the shared locator's socket the kernel delivers to, and the lease
    nodes.push(await startNode(f, "b", "127.0.0.3"));
    nodes.push(await startNode(f, "c", "127.0.0.4"));
    nodes.push(await startNode(f, "a", "127.0.0.2"));
    const [b, , a] = nodes;
    const faHit = hitBytes(a.ready);
    assert.deepEqual(hitBytes(b.ready), faHit, "one fleet identity");
    const id = HostIdentity.generate(new SeededRng(1500));
    const faa = await faq(host, a.control, id, faHit, { requestId: 1, leaseId: 0, lifetime: 300, addrType: 4, spis: 16 });
    assert.equal(faa.packetType, PacketType.FAA);
    const info = faa.info!;
    const addr = info.address as { ip: string; minSpi: number; maxSpi: number };
    const leased = { ip: addr.ip, port: info.port };
    assert.deepEqual(leased, f.shared, "the leased locator is the fleet's shared one");
    // peer → leased locator → host, through A
    peer.send(espPacket(addr.minSpi, 1, 200), f.shared);
    const d1 = await host.next();
    assert.deepEqual(d1.from, a.control);
    assert.equal(unwrapRelay(d1.data)?.payload.length, 200);
    // A dies without a word
    await killNode(a);
    // §13.1: the node the shared locator's packets reach now notices A is gone (ICMP on its
    // connected node-to-node socket, or missed heartbeats) and delivers them itself: no host action
    const others = [b.control, nodes[1].control];
    const fromOther = (x: { from: { ip: string; port: number } }) => others.some((o) => o.ip === x.from.ip && o.port === x.from.port);
    let took: Awaited<ReturnType<Udp["next"]>> | undefined;
    for (let i = 0; i < 50 && !took; i++) {
      peer.send(espPacket(addr.minSpi + 1, 5 + i, 250), f.shared);
      took = await host.next(fromOther, 200).catch(() => undefined);
    }
    assert.ok(took, "another node took the host over");
    assert.equal(unwrapRelay(took.data)?.payload.length, 250);
    assert.deepEqual(unwrapRelay(took.data)?.dst, leased, "same leased locator");
    // the host follows that node (a relay frame to it, no FAQ): its packets leave from the shared locator
    host.send(wrapRelay(leased, peer.locator, espPacket(0x4242, 1, 110)), took.from);
    assert.deepEqual((await peer.next((x) => x.data.length === 110)).from, f.shared);
    // the host then sends through B (a relay frame, no FAQ): B becomes its node
    host.send(wrapRelay(leased, peer.locator, espPacket(0x4242, 2, 100)), b.control);
    // peers keep sending to the same locator and SPI: the packets reach the host through B
    let got: Awaited<ReturnType<Udp["next"]>> | undefined;
    for (let i = 0; i < 50 && !got; i++) {
      peer.send(espPacket(addr.minSpi + 3, 60 + i, 300), f.shared);
      got = await host.next((x) => x.from.port === b.control.port && x.from.ip === b.control.ip && x.data.length > 300, 200).catch(() => undefined);
    }
    assert.ok(got, "traffic resumed through node B");
    const fwd = unwrapRelay(got.data)!;
    assert.equal(fwd.payload.length, 300);
    assert.deepEqual(fwd.dst, leased, "same leased locator");
    assert.equal(new DataView(fwd.payload.buffer, fwd.payload.byteOffset).getUint32(0), addr.minSpi + 3, "same SPI range");
    // and the host's packets leave from the shared locator through B (permission learnt from the peer)
    host.send(wrapRelay(leased, peer.locator, espPacket(0x4242, 3, 120)), b.control);
    const out = await peer.next((x) => x.data.length === 120);
    assert.deepEqual(out.from, f.shared);
    // renewal at C: honoured (same lease, never shorter)
    const ren = await faq(host, nodes[1].control, id, faHit, { requestId: 2, leaseId: info.leaseId, lifetime: 600, addrType: 4, spis: 16 });
    assert.equal(ren.packetType, PacketType.FAA);
    assert.equal(ren.info!.leaseId, info.leaseId);
    assert.deepEqual((ren.info!.address as { minSpi: number }).minSpi, addr.minSpi);
    assert.ok(ren.info!.leaseDuration >= 590);
  } finally {
    for (const n of nodes) await killNode(n);
    host.close();
    peer.close();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
