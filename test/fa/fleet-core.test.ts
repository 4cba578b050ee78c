// The sans-I/O side of an FA fleet (issue 15), deterministic: two agents with store jobs over one
// MemoryLeaseStore, changes fed from one to the other. Node-to-node forwarding decisions, the
// holder claim by a relay frame, no loops, and a store outage (FAD STORE_FAILED, cache kept).
import assert from "node:assert/strict";
import { test } from "node:test";
import type { ForwardingAgent } from "../../src/fa/core/agent.ts";
import type { StoreResult } from "../../src/fa/core/jobs.ts";
import { hitHex } from "../../src/fa/core/lease.ts";
import { buildFaq, parseFaPacket } from "../../src/fa/core/messages.ts";
import { FadReason } from "../../src/fa/core/reasons.ts";
import { unwrapRelay, wrapRelay } from "../../src/fa/core/relay.ts";
import { MemoryLeaseStore } from "../../src/fa/store/memory.ts";
import { PacketType } from "../../src/wire/constants.ts";
import { frameHip } from "../../src/wire/framing.ts";
import { espPacket, FLEET_HOST, FLEET_PEER, FLEET_SHARED, fleetNode, identity, makeFa, Net, TestHost } from "./harness.ts";

const [SHARED, HOST, PEER, node] = [FLEET_SHARED, FLEET_HOST, FLEET_PEER, fleetNode];

/** Run every queued job against `store` (or fail them all while `down`), then feed the changes
 *  to the other nodes the way a shared store's watcher would. */
function pump(store: MemoryLeaseStore, nodes: ForwardingAgent[], down = false): void {
  for (let moved = true; moved; ) {
    moved = false;
    for (const fa of nodes) {
      for (let j = fa.pollJob(); j; j = fa.pollJob()) {
        moved = true;
        let r: StoreResult;
        if (down) r = { ok: false, error: "connect ECONNREFUSED" };
        else if (j.op === "create") r = { ok: true, value: store.claim(j.lease) };
        else if (j.op === "renew") r = { ok: true, value: store.renewNow(j.lease)?.expires };
        else if (j.op === "release") r = { ok: true, value: store.delete(j.hit, j.leaseId) !== undefined };
        else r = { ok: true, value: false };
        fa.completeJob(0, j.id, r);
        if (!down && (j.op === "create" || j.op === "renew")) {
          const l = store.get(j.lease.hit, j.lease.leaseId);
          if (l) for (const other of nodes) if (other !== fa) other.leaseChanged(0, { ...l });
        }
      }
    }
  }
}

function answers(fa: ForwardingAgent) {
  const out = [];
  for (let t = fa.pollTransmit(); t; t = fa.pollTransmit()) {
    const p = parseFaPacket(t.data.subarray(4), false);
    if (p.ok) out.push(p.value);
  }
  return out;
}

test("fleet core: a lease granted at A is forwarded by B to A; the host's relay frame at B makes B its node; no loops; store down → FAD, cache kept", () => {
  const store = new MemoryLeaseStore();
  const a = node("a", "192.0.2.2");
  const b = node("b", "192.0.2.3");
  const host = identity(40);
  const faq = (to: typeof a, requestId: number, leaseId = 0) => to.fa.handleDatagram(0, to.ctlIndex, HOST.ip, HOST.port, frameHip(buildFaq(host, a.fa.hit, { requestId, leaseId, lifetime: 300, addrType: 4, spis: 16 })));
  faq(a, 1);
  assert.equal(answers(a.fa).length, 0, "no FAA before the store took the lease");
  pump(store, [a.fa, b.fa]);
  const [faa] = answers(a.fa);
  assert.equal(faa.packetType, PacketType.FAA);
  const spi = (faa.info!.address as { minSpi: number }).minSpi;
  assert.equal(b.fa.store.size, 1, "B knows A's lease");
  // a peer's packet lands at B (the shared locator's socket there): passed to A, not delivered
  const atB = b.fa.handleDatagram(0, b.sharedIndex, PEER.ip, PEER.port, espPacket(spi, 1, 100));
  assert.equal(atB?.node, "a");
  assert.deepEqual({ ...atB!.to }, PEER);
  const atA = a.fa.handleFleet(0, SHARED, PEER.ip, PEER.port, atB!.data.slice());
  assert.equal(atA?.node, undefined);
  assert.deepEqual(atA?.to, HOST);
  assert.equal(unwrapRelay(atA!.data)?.payload.length, 100);
  // A dies; the host sends a relay frame through B: B claims the lease
  b.fa.handleDatagram(0, b.ctlIndex, HOST.ip, HOST.port, wrapRelay(SHARED, PEER, espPacket(0x4242, 1, 80)));
  pump(store, [b.fa, a.fa]);
  assert.equal(store.get(hitHex(host.hit), faa.info!.leaseId)?.node, "b", "the store names B the holder");
  const direct = b.fa.handleDatagram(0, b.sharedIndex, PEER.ip, PEER.port, espPacket(spi, 2, 100));
  assert.equal(direct?.node, undefined, "B holds the host now");
  assert.deepEqual(direct?.to, HOST);
  // A (had it survived) learnt the claim from the store: it passes packets to B
  assert.equal(a.fa.handleDatagram(0, a.sharedIndex, PEER.ip, PEER.port, espPacket(spi, 3, 100))?.node, "b");
  // never passed on twice: a fleet packet at a non-holder is dropped
  assert.equal(a.fa.handleFleet(0, SHARED, PEER.ip, PEER.port, espPacket(spi, 4, 100)), undefined);
  assert.equal(a.fa.counters.drops.fleet_not_holder, 1);
  // the store is down: a new lease is refused, the cached one keeps forwarding
  const other = identity(41);
  b.fa.handleDatagram(0, b.ctlIndex, "198.51.100.8", 5000, frameHip(buildFaq(other, a.fa.hit, { requestId: 1, leaseId: 0, lifetime: 300, addrType: 4, spis: 16 })));
  pump(store, [b.fa, a.fa], true);
  const fad = answers(b.fa).find((x) => x.packetType === PacketType.FAD);
  assert.equal(fad?.notifyType, FadReason.STORE_FAILED);
  assert.equal(b.fa.store.size, 1);
  assert.deepEqual(b.fa.handleDatagram(0, b.sharedIndex, PEER.ip, PEER.port, espPacket(spi, 5, 100))?.to, HOST);
  // a renewal at B during the outage fails but changes nothing; after it, a renewal never shortens
  faq(b, 2, faa.info!.leaseId);
  pump(store, [b.fa, a.fa], true);
  assert.equal(answers(b.fa)[0]?.notifyType, FadReason.STORE_FAILED);
  faq(b, 3, faa.info!.leaseId);
  pump(store, [b.fa, a.fa]);
  const ren = answers(b.fa)[0];
  assert.equal(ren.packetType, PacketType.FAA);
  assert.equal(ren.info!.leaseId, faa.info!.leaseId);
  assert.equal((ren.info!.address as { minSpi: number }).minSpi, spi);
});

test("fleet client: when its node goes silent the client renews the same lease at the next node (no new lease)", () => {
  const net = new Net();
  const FA = { ip: "192.0.2.1", port: 10500 };
  const FB = { ip: "192.0.2.2", port: 10500 };
  makeFa(net, 1, { control: [FA], shared4: [FA], puzzle: "off" });
  makeFa(net, 1, { control: [FB], shared4: [FB], puzzle: "off" });
  const h = new TestHost(net, 88, { ip: "198.51.100.88", port: 5000 });
  const c = h.lease({ fas: [{ locator: FA }, { locator: FB }], addrType: 4, lifetime: 20, retryMs: 500, tries: 3, fleet: true, silenceMs: 1000 });
  net.run();
  const first = c.lease!;
  net.dead.add("192.0.2.1:10500");
  const sent = net.log.length;
  net.advance(10_000);
  h.drainEvents();
  assert.ok(h.faEvents.some((e) => e.type === "fa-dead"));
  const toB = net.log.slice(sent).filter((x) => x.to.ip === FB.ip).map((x) => parseFaPacket(x.data.subarray(4), false));
  assert.ok(toB.length > 0 && toB[0].ok, "a FAQ went to the next node");
  assert.equal(toB[0].ok && toB[0].value.info!.leaseId, first.leaseId, "the first FAQ there renews the same lease");
});

test("fleet takeover (§13.1): the holder node is down → the node a packet reaches delivers it to the host itself and claims the lease", () => {
  const store = new MemoryLeaseStore();
  const a = node("a", "192.0.2.2");
  const b = node("b", "192.0.2.3");
  const host = identity(42);
  a.fa.handleDatagram(0, a.ctlIndex, HOST.ip, HOST.port, frameHip(buildFaq(host, a.fa.hit, { requestId: 1, leaseId: 0, lifetime: 300, addrType: 4, spis: 16 })));
  pump(store, [a.fa, b.fa]);
  const [faa] = answers(a.fa);
  const spi = (faa.info!.address as { minSpi: number }).minSpi;
  assert.equal(b.fa.handleDatagram(0, b.sharedIndex, PEER.ip, PEER.port, espPacket(spi, 1, 100))?.node, "a", "A alive: passed on");
  b.fa.nodeState("a", true);
  const took = b.fa.handleDatagram(0, b.sharedIndex, PEER.ip, PEER.port, espPacket(spi, 2, 100));
  assert.equal(took?.node, undefined, "A down: not passed to A");
  assert.deepEqual({ ...took!.to }, HOST, "straight to the host's locator from the lease");
  assert.equal(took!.local, b.ctlIndex, "from B's control locator (the host follows it)");
  assert.deepEqual(unwrapRelay(took!.data)?.dst, SHARED);
  assert.equal(b.fa.counters.takeovers, 1);
  // a packet another node passed to B for a host of the dead A is delivered too (no drop)
  assert.deepEqual(b.fa.handleFleet(0, SHARED, PEER.ip, PEER.port, espPacket(spi, 3, 100))?.to, HOST);
  pump(store, [b.fa, a.fa]);
  assert.equal(store.get(hitHex(host.hit), faa.info!.leaseId)?.node, "b", "B claimed the lease in the store");
  // A comes back: B holds the host now, so B keeps delivering
  b.fa.nodeState("a", false);
  assert.deepEqual(b.fa.handleDatagram(0, b.sharedIndex, PEER.ip, PEER.port, espPacket(spi, 4, 100))?.to, HOST);
});

test("fleet client (§13.1): a relay frame for our lease from another node of the fleet moves us to that node at once (no FAQ)", () => {
  const net = new Net();
  const FA = { ip: "192.0.2.1", port: 10500 };
  const FB = { ip: "192.0.2.2", port: 10500 };
  makeFa(net, 1, { control: [FA], shared4: [FA], puzzle: "off" });
  const h = new TestHost(net, 89, { ip: "198.51.100.89", port: 5000 });
  const c = h.lease({ fas: [{ locator: FA }, { locator: FB }], addrType: 4, lifetime: 300, fleet: true });
  net.run();
  const lease = c.lease!;
  h.drainEvents();
  const sent = net.log.length;
  // not our lease's locator, or not a node of ours: ignored
  assert.equal(c.unwrap(net.now, wrapRelay(PEER, { ip: "192.0.2.99", port: 1 }, espPacket(7, 1, 40)), FB), undefined);
  assert.equal(c.unwrap(net.now, wrapRelay(PEER, lease.locator, espPacket(7, 1, 40)), { ip: "192.0.2.77", port: 10500 }), undefined);
  assert.equal(c.fa.locator, FA);
  const u = c.unwrap(net.now, wrapRelay(PEER, lease.locator, espPacket(7, 2, 40)), FB);
  assert.equal(u?.data.length, 40);
  assert.deepEqual(c.fa.locator, FB);
  assert.deepEqual(c.lease!.fa.locator, FB);
  assert.equal(c.lease!.leaseId, lease.leaseId);
  assert.deepEqual(c.pollEvent(), { type: "fa-moved", fa: FA, next: FB });
  assert.deepEqual(c.wrap({ to: PEER, from: lease.locator, data: new Uint8Array(8) }).to, FB, "our packets go through B now");
  assert.equal(net.log.length, sent, "nothing sent: no FAQ");
  // a client outside a fleet never follows another FA
  const h2 = new TestHost(net, 90, { ip: "198.51.100.90", port: 5000 });
  const c2 = h2.lease({ fas: [{ locator: FA }, { locator: FB }], addrType: 4, lifetime: 300 });
  net.run();
  assert.equal(c2.unwrap(net.now, wrapRelay(PEER, c2.lease!.locator, espPacket(7, 3, 40)), FB), undefined);
});

test("fleet client (§13.1 fallback): silent node → two probes a silence period apart, then the same lease at the next node", () => {
  const net = new Net();
  const FA = { ip: "192.0.2.1", port: 10500 };
  const FB = { ip: "192.0.2.2", port: 10500 };
  makeFa(net, 1, { control: [FA], shared4: [FA], puzzle: "off" });
  makeFa(net, 1, { control: [FB], shared4: [FB], puzzle: "off" });
  const h = new TestHost(net, 91, { ip: "198.51.100.91", port: 5000 });
  const c = h.lease({ fas: [{ locator: FA }, { locator: FB }], addrType: 4, lifetime: 300, retryMs: 1000, tries: 4, fleet: true, silenceMs: 200 });
  net.run();
  const first = c.lease!;
  net.dead.add("192.0.2.1:10500");
  const sent = net.log.length;
  net.advance(1000); // silence 200 ms + probes at +0 and +200 ms, moved at +400 ms (virtual time)
  const toA = net.log.slice(sent).filter((x) => x.to.ip === FA.ip).length;
  const toB = net.log.slice(sent).filter((x) => x.to.ip === FB.ip).map((x) => parseFaPacket(x.data.subarray(4), false));
  assert.equal(toA, 2, "two probes to the silent node");
  assert.ok(toB.length > 0 && toB[0].ok, "then a FAQ to the next node");
  assert.equal(toB[0].ok && toB[0].value.info!.leaseId, first.leaseId, "renewing the same lease");
});
