import assert from "node:assert/strict";
import { test } from "node:test";
import { equalBytes } from "../../src/core/bytes.ts";
import { SeededRng } from "../../src/core/rng.ts";
import { ForwardingAgent } from "../../src/fa/core/agent.ts";
import { faConfig } from "../../src/fa/core/config.ts";
import { buildFaq, parseFaPacket } from "../../src/fa/core/messages.ts";
import { isRelay, unwrapRelay, wrapRelay } from "../../src/fa/core/relay.ts";
import { MemoryLeaseStore } from "../../src/fa/store/memory.ts";
import { PacketType } from "../../src/wire/constants.ts";
import { frameHip } from "../../src/wire/framing.ts";
import { emitTunnelFrame, parseTunnelFrame, TunnelFrameType } from "../../src/wire/tunnel.ts";
import { espPacket, identity, makeFa, Net, TestHost } from "./harness.ts";

const FA4 = { ip: "192.0.2.1", port: 10500 };
const FA6 = { ip: "2001:db8::fa", port: 10500 };
const POOL6 = [{ ip: "2001:db8:1::1", port: 10500 }];
const base = { control: [FA4, FA6], shared4: [FA4], pool6: POOL6 };

test("several hosts share one IPv4 locator: ESP by SPI, HIP by receiver HIT", () => {
  const net = new Net();
  const { fa } = makeFa(net, 1, base);
  const hosts = [70, 71, 72].map((s) => new TestHost(net, s, { ip: `198.51.100.${s}`, port: 5000 }));
  for (const h of hosts) h.lease({ fas: [{ locator: FA4 }], addrType: 4 });
  net.run();
  const peer = new TestHost(net, 79, { ip: "203.0.113.9", port: 4000 });
  for (const [i, h] of hosts.entries()) {
    const l = h.client!.lease!;
    assert.deepEqual(l.locator, FA4);
    peer.sendRaw(FA4, espPacket(l.spiMin + i, 1));
    peer.sendRaw(FA4, espPacket(l.spiMax, 2));
  }
  for (const h of hosts) {
    assert.equal(h.esp.length, 2, "each host gets exactly its own ESP");
    const l = h.client!.lease!;
    for (const e of h.esp) {
      const spi = new DataView(e.data.buffer, e.data.byteOffset).getUint32(0);
      assert.ok(spi >= l.spiMin && spi <= l.spiMax);
      assert.deepEqual(e.from, peer.locator, "relay frame names the real source");
      assert.deepEqual(e.to, FA4, "…and the leased locator it arrived at");
    }
  }
  peer.sendRaw(FA4, espPacket(0x0badf00d, 1));
  assert.equal(fa.counters.drops.no_lease_spi, 1);
  // A HIP packet for host 71 (an I1 from the peer) is forwarded by receiver HIT.
  peer.hip.connect(net.now, FA4, identity(71).hit, peer.locator);
  net.run();
  assert.equal(hosts[1].hip.counters["rx.I1"], 1);
  assert.equal(hosts[0].hip.counters["rx.I1"] ?? 0, 0);
  assert.equal(fa.counters.toHost, 8, "6 ESP + I1 + I2");
});

for (const addrType of [4, 6] as const) {
  test(`rendezvous (addr type ${addrType}): a base exchange with a leased HIT runs through the FA`, () => {
    const net = new Net();
    const { fa } = makeFa(net, 1, base);
    const h = new TestHost(net, 80, { ip: "198.51.100.80", port: 5000 });
    const c = h.lease({ fas: [{ locator: FA4 }], addrType });
    net.run();
    const leased = c.lease!.locator;
    const peer = new TestHost(net, 81, addrType === 4 ? { ip: "203.0.113.81", port: 4000 } : { ip: "2001:db8:9::81", port: 4000 });
    peer.hip.connect(net.now, leased, identity(80).hit, peer.locator);
    net.run();
    h.drainEvents();
    peer.drainEvents();
    assert.ok(peer.hipEvents.some((e) => e.type === "established"));
    const inst = h.hipEvents.find((e) => e.type === "sa-install");
    assert.ok(inst && inst.type === "sa-install");
    assert.equal(h.hip.association(identity(81).hit)?.state, "R2-SENT");
    // The peer only ever talked to the leased locator (location privacy, §3.2).
    const toPeer = net.log.filter((p) => p.to.ip === peer.locator.ip);
    assert.ok(toPeer.length >= 2);
    assert.ok(toPeer.every((p) => p.from.ip === leased.ip && p.from.port === leased.port));
    assert.ok(fa.counters.toPeer >= 2 && fa.counters.toHost >= 2);
    if (addrType === 6) {
      // First ESP from the peer on the host's inbound SPI reaches the host via the FA.
      peer.sendRaw(leased, espPacket(inst.inbound.spi, 1));
      assert.equal(h.esp.length, 1);
      h.hip.noteEspReceived(net.now, inst.inbound.spi, h.esp[0].from);
      assert.equal(h.hip.association(identity(81).hit)?.state, "ESTABLISHED");
    }
  });
}

test("IPv4↔IPv6 gateway: an IPv6-only host with an IPv4 lease talks to an IPv4 peer", () => {
  const net = new Net();
  const { fa } = makeFa(net, 1, base);
  const h = new TestHost(net, 82, { ip: "2001:db8:2::82", port: 5000 });
  const c = h.lease({ fas: [{ locator: FA6 }], addrType: 4 });
  net.run();
  assert.deepEqual(c.lease?.locator, FA4);
  const peer = new TestHost(net, 83, { ip: "203.0.113.83", port: 4000 });
  peer.sendRaw(FA4, espPacket(c.lease!.spiMin, 1));
  assert.equal(h.esp.length, 1);
  const arrived = net.log.at(-1)!;
  assert.deepEqual(arrived.from, FA6, "FA → host over IPv6");
  h.sendRaw(peer.locator, espPacket(0x1234, 9), FA4);
  assert.equal(peer.esp.length, 1);
  assert.deepEqual(peer.esp[0].from, FA4, "host → peer leaves from the leased IPv4 locator");
  assert.equal(fa.counters.toPeer, 1);
});

test("dedicated IPv6 lease: everything at the locator goes to the host; both ends move", () => {
  const net = new Net();
  const { fa } = makeFa(net, 1, base);
  const h = new TestHost(net, 84, { ip: "198.51.100.84", port: 5000 });
  const c = h.lease({ fas: [{ locator: FA4 }], addrType: 6, lifetime: 60, renewAt: 0.5 });
  net.run();
  const leased = c.lease!.locator;
  assert.deepEqual(leased, POOL6[0]);
  const peer = new TestHost(net, 85, { ip: "2001:db8:9::85", port: 4000 });
  peer.sendRaw(leased, espPacket(0xdeadbeef, 1));
  assert.equal(h.esp.length, 1);
  // both ends move; the host's next renewal carries its new locator
  h.moveTo({ ip: "198.51.100.184", port: 5001 });
  (c as unknown as { o: { from: unknown } }).o.from = h.locator;
  peer.moveTo({ ip: "2001:db8:9::185", port: 4001 });
  net.advance(31_000);
  peer.sendRaw(leased, espPacket(0xdeadbeef, 2));
  assert.equal(h.esp.length, 2, "forwarded to the host's new locator");
  h.sendRaw(peer.locator, espPacket(0x1055, 1), leased);
  assert.equal(peer.esp.length, 1);
  assert.deepEqual(peer.esp[0].from, leased);
  assert.equal(fa.counters.drops.not_a_lease_holder ?? 0, 0);
});

test("a relay frame from someone who holds no lease is dropped", () => {
  const net = new Net();
  const { fa } = makeFa(net, 1, base);
  const x = new TestHost(net, 86, { ip: "198.51.100.86", port: 5000 });
  x.sendRaw(FA4, wrapRelay(FA4, { ip: "203.0.113.1", port: 1 }, espPacket(1, 1)));
  assert.equal(fa.counters.drops.not_a_lease_holder, 1);
  assert.equal(fa.counters.toPeer, 0);
});

test("crashed FA (silent): the client detects it and leases from the next FA (§4.4.2)", () => {
  const net = new Net();
  makeFa(net, 1, base);
  const FB = { ip: "192.0.2.2", port: 10500 };
  makeFa(net, 2, { control: [FB], shared4: [FB], pool6: [] });
  const h = new TestHost(net, 87, { ip: "198.51.100.87", port: 5000 });
  const c = h.lease({ fas: [{ locator: FA4 }, { locator: FB }], addrType: 4, lifetime: 20, retryMs: 500, tries: 3 });
  net.run();
  assert.deepEqual(c.lease?.locator, FA4);
  net.dead.add("192.0.2.1:10500");
  net.advance(15_000);
  h.drainEvents();
  assert.ok(h.faEvents.some((e) => e.type === "fa-dead"), JSON.stringify(h.faEvents.map((e) => e.type)));
  assert.deepEqual(c.lease?.locator, FB);
});

test("FA store failed / FA full: FAD for a new lease sends the client to the next FA, or back later", () => {
  const net = new Net();
  const { fa: full } = makeFa(net, 1, { ...base, maxLeases: 0 });
  const FB = { ip: "192.0.2.2", port: 10500 };
  makeFa(net, 2, { control: [FB], shared4: [FB], pool6: [] });
  const h = new TestHost(net, 90, { ip: "198.51.100.90", port: 5000 });
  const c = h.lease({ fas: [{ locator: FA4 }, { locator: FB }], addrType: 4, lifetime: 20, retryMs: 500 });
  net.run();
  h.drainEvents();
  assert.ok(h.faEvents.some((e) => e.type === "refused" && e.reasonName === "FA_FULL"));
  assert.equal(c.lease === undefined, true);
  net.advance(600);
  assert.deepEqual(c.lease?.locator, FB);
  // a single FA: asked again later, and granted once it has room
  const net2 = new Net();
  const { fa: one } = makeFa(net2, 1, { ...base, maxLeases: 0 });
  const g = new TestHost(net2, 91, { ip: "198.51.100.91", port: 5000 });
  const c2 = g.lease({ fas: [{ locator: FA4 }], addrType: 4, lifetime: 20, retryMs: 100 });
  net2.run();
  assert.equal(c2.lease === undefined, true);
  (one.leases.config as { maxLeases: number }).maxLeases = 10;
  net2.advance(1_700);
  assert.deepEqual(c2.lease?.locator, FA4);
  assert.equal(full.store.size, 0);
});

/** A host holding a lease from an FA that then restarts without state (same locators, empty store). */
function leaseThenFaRestart(seed: number) {
  const net = new Net();
  makeFa(net, 1, base);
  const h = new TestHost(net, seed, { ip: `198.51.100.${seed}`, port: 5000 });
  const c = h.lease({ fas: [{ locator: FA4 }], addrType: 4, lifetime: 20 });
  net.run();
  const first = c.lease!.leaseId;
  const { fa } = makeFa(net, 1, base);
  return { net, h, c, fa, first };
}

test("FA restarted without state: renewal gets FAD UNKNOWN_LEASE and the client re-leases", () => {
  const { net, h, c, fa, first } = leaseThenFaRestart(88);
  net.advance(11_000);
  h.drainEvents();
  assert.ok(h.faEvents.some((e) => e.type === "refused" && e.reasonName === "UNKNOWN_LEASE"));
  assert.ok(c.lease && fa.store.size === 1);
  assert.ok(c.lease.leaseId !== first || c.lease.spiMin !== 0);
});

test("a release the FA answers with FAD UNKNOWN_LEASE (restarted without state) is done: released, no renewal, no new lease", () => {
  const { net, h, c, fa } = leaseThenFaRestart(87);
  h.drainEvents();
  const seen = h.faEvents.length;
  c.release(net.now);
  net.run();
  net.advance(30_000);
  h.drainEvents();
  // Before: the FAD scheduled a renewal of the lease the FA did not have, "released" never came
  // (a closing host waited its whole waitMs), and the renewal's FAD then asked for a new lease.
  assert.deepEqual(h.faEvents.slice(seen).map((e) => e.type), ["released"]);
  assert.equal(c.lease, undefined);
  assert.equal(fa.store.size, 0, "no lease made at the FA");
});

test("tunnel: FAQ over a WebSocket-style tunnel, forwarding into it and out of it", () => {
  const fa = new ForwardingAgent({ identity: identity(1), config: faConfig({ ...base, puzzle: "off" }), store: new MemoryLeaseStore(), rng: new SeededRng(3) });
  const host = identity(89);
  const remote = { ip: "127.0.0.1", port: 55555 };
  const faq = frameHip(buildFaq(host, fa.hit, { requestId: 1, leaseId: 0, lifetime: 60, addrType: 4, spis: 0 }));
  fa.handleTunnel(0, 7, remote, emitTunnelFrame({ type: TunnelFrameType.DATAGRAM, payload: faq }));
  const t = fa.pollTransmit()!;
  assert.equal(t.tunnel, 7);
  const f = parseTunnelFrame(t.data);
  assert.ok(f.ok);
  const faa = parseFaPacket(f.value.payload.subarray(4));
  assert.ok(faa.ok && faa.value.packetType === PacketType.FAA);
  const a = faa.value.info!.address as { minSpi: number };
  const d = fa.handleDatagram(1, 0, "203.0.113.5", 9, espPacket(a.minSpi, 1));
  assert.ok(d && d.tunnel === 7 && !isRelay(d.data));
  const fr = parseTunnelFrame(d.data);
  assert.ok(fr.ok);
  assert.deepEqual(fr.value.src, { ip: "203.0.113.5", port: 9 });
  assert.deepEqual(fr.value.dst, FA4);
  const out = fa.handleTunnel(2, 7, remote, wrapRelay(FA4, { ip: "203.0.113.5", port: 9 }, espPacket(0x1077, 1)).subarray(4));
  assert.ok(out && out.tunnel === -1);
  assert.deepEqual(out.to, { ip: "203.0.113.5", port: 9 });
  assert.equal(fa.locals[out.local].locator, FA4);
  assert.ok(equalBytes(out.data, espPacket(0x1077, 1)));
  fa.tunnelClosed(7);
  assert.equal(fa.handleDatagram(3, 0, "203.0.113.5", 9, espPacket(a.minSpi, 2)), undefined);
  assert.equal(fa.counters.drops.tunnel_down, 1);
  // a ping is answered with a pong
  fa.handleTunnel(4, 8, remote, emitTunnelFrame({ type: TunnelFrameType.PING, payload: new Uint8Array([1, 2]) }));
  const pong = parseTunnelFrame(fa.pollTransmit()!.data);
  assert.ok(pong.ok && pong.value.type === TunnelFrameType.PONG);
  assert.ok(unwrapRelay(wrapRelay(FA4, FA6, new Uint8Array(8))));
});
