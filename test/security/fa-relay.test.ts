// Issue 9, FA as an open relay: a lease holder sent arbitrary UDP to any address from the FA's
// address. Now only HIP and ESP, only to peers it has a HIP exchange with, never to special or
// own addresses, within per-lease budgets (src/fa/core/guard.ts, docs/PROTOCOL.md §9).
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Locator } from "../../src/core/types.ts";
import { SeededRng } from "../../src/core/rng.ts";
import { ForwardingAgent } from "../../src/fa/core/agent.ts";
import { type FaConfig, faConfig } from "../../src/fa/core/config.ts";
import { buildFaq, parseFaPacket } from "../../src/fa/core/messages.ts";
import { unwrapRelay, wrapRelay } from "../../src/fa/core/relay.ts";
import { MemoryLeaseStore } from "../../src/fa/store/memory.ts";
import { PacketType } from "../../src/wire/constants.ts";
import { frameHip } from "../../src/wire/framing.ts";
import { espPacket } from "../fa/harness.ts";
import { faq, identity, startFa, udp } from "./fa-helpers.ts";

/** A HIP packet with a valid header and no parameters, zero marker in front (UDP/10500). */
function hip(type: number, sender: Uint8Array, receiver: Uint8Array): Uint8Array {
  const b = new Uint8Array(44);
  b.set([59, 4, type, 0x21], 4);
  b.set(sender, 12);
  b.set(receiver, 28);
  return b;
}

test("FA relay over real UDP: non-HIP and unpermitted ESP/HIP dropped; I1 opens HIP; the peer's HIP opens ESP", { timeout: 60_000 }, async () => {
  const { server, port, faHit } = await startFa();
  const a = await udp();
  const peer = await udp();
  try {
    const host = identity(510);
    const faa = await faq(a, port, host, faHit, { requestId: 1, leaseId: 0, lifetime: 300, addrType: 4, spis: 16 });
    assert.equal(faa.packetType, PacketType.FAA);
    const leased = { ip: "127.0.0.1", port };
    const to = { ip: "127.0.0.1", port: peer.port };
    const peerHit = identity(511).hit;
    const via = (payload: Uint8Array) => a.send(wrapRelay(leased, to, payload), port);
    // arbitrary bytes look like ESP with a large SPI (ESP is opaque): refused for lack of permission
    await via(new TextEncoder().encode("GET / HTTP/1.0\r\nHost: victim\r\n\r\n"));
    await via(new Uint8Array([0, 0, 0, 7, 0, 0, 0, 1, 9, 9])); // reserved SPI 7: not ESP
    await via(espPacket(0x4242, 1, 100)); // ESP: the peer never talked to this lease
    await via(hip(PacketType.R2, host.hit, peerHit)); // HIP that opens nothing
    await via(hip(PacketType.I1, host.hit, peerHit)); // I1: relayed, opens a HIP permission
    const first = await peer.next();
    assert.equal(first.data[4 + 2], PacketType.I1);
    await via(espPacket(0x4242, 2, 100)); // still no ESP: the peer has not answered
    // the peer answers with HIP to the leased locator: ESP may flow now
    await peer.send(hip(PacketType.R1, peerHit, host.hit), port);
    const back = unwrapRelay((await a.next()).data);
    assert.ok(back && back.payload[4 + 2] === PacketType.R1);
    await via(espPacket(0x4242, 3, 100));
    const esp = await peer.next();
    assert.equal(esp.data.length, 100);
    assert.equal(new DataView(esp.data.buffer, esp.data.byteOffset).getUint32(4), 3);
    assert.equal(peer.received.length, 2, "only the I1 and the permitted ESP reached the peer");
    const d = server.stats().drops;
    assert.equal(d.not_hip_or_esp, 1);
    assert.equal(d.no_permission, 4);
  } finally {
    await Promise.all([a.close(), peer.close()]);
    await server.close();
  }
});

const FA: Locator = { ip: "192.0.2.1", port: 10500 };

function leasedAgent(cfg: Partial<FaConfig> = {}) {
  const fa = new ForwardingAgent({ identity: identity(1), config: faConfig({ control: [FA], shared4: [FA], puzzle: "off", ...cfg }), store: new MemoryLeaseStore(), rng: new SeededRng(4) });
  const host = identity(520);
  fa.handleDatagram(0, 0, "198.51.100.7", 5000, frameHip(buildFaq(host, fa.hit, { requestId: 1, leaseId: 0, lifetime: 60, addrType: 4, spis: 16 })));
  const p = parseFaPacket(fa.pollTransmit()!.data.subarray(4));
  assert.ok(p.ok && p.value.packetType === PacketType.FAA);
  const minSpi = (p.value.info!.address as { minSpi: number }).minSpi;
  const send = (dst: Locator, payload: Uint8Array, now = 1) => fa.handleDatagram(now, 0, "198.51.100.7", 5000, wrapRelay(FA, dst, payload));
  return { fa, host, minSpi, send };
}

test("FA relay destinations: link-local, loopback (FA not on loopback), own address, multicast, unspecified refused; no relay into the FA itself", () => {
  const { fa, host, send } = leasedAgent();
  const i1 = hip(PacketType.I1, host.hit, identity(521).hit);
  for (const ip of ["169.254.1.1", "127.0.0.1", "192.0.2.1", "224.0.0.1", "255.255.255.255", "0.0.0.0"]) assert.equal(send({ ip, port: 22 }, i1), undefined, ip);
  const d = fa.counters.drops;
  assert.deepEqual([d.dest_link_local, d.dest_loopback, d.dest_own, d.dest_multicast, d.dest_unspecified], [1, 1, 1, 2, 1]);
  // a FAQ relayed to the FA's own locator is not a FAQ from the FA's address (no lease, no loop)
  const faqFromFa = frameHip(buildFaq(identity(522), fa.hit, { requestId: 1, leaseId: 0, lifetime: 60, addrType: 4, spis: 16 }));
  assert.equal(send(FA, faqFromFa), undefined);
  assert.equal(fa.pollTransmit(), undefined);
  assert.equal(fa.store.size, 1);
  // allowed when configured
  const open = leasedAgent({ allowLinkLocal: true, allowLoopback: true });
  assert.deepEqual(open.send({ ip: "169.254.1.1", port: 10500 }, i1)?.to, { ip: "169.254.1.1", port: 10500 });
  assert.deepEqual(open.send({ ip: "127.0.0.1", port: 10500 }, i1)?.to, { ip: "127.0.0.1", port: 10500 });
  // the FA's own address is never a destination, even then
  assert.equal(open.send({ ip: "192.0.2.1", port: 22 }, i1), undefined);
});

test("FA relay budgets: per-lease packets per second, both directions", () => {
  const { fa, minSpi, send } = leasedAgent({ leasePacketsPerSecond: 5 });
  let toHost = 0;
  for (let i = 0; i < 10; i++) if (fa.handleDatagram(1, 0, "203.0.113.9", 10500, espPacket(minSpi, i + 1))) toHost++;
  assert.equal(toHost, 5);
  let toPeer = 0;
  for (let i = 0; i < 10; i++) if (send({ ip: "203.0.113.9", port: 10500 }, espPacket(0x4242, i + 1))) toPeer++;
  assert.equal(toPeer, 0, "budget spent inbound");
  // one second later the bucket is full again (5 packets)
  for (let i = 0; i < 10; i++) if (send({ ip: "203.0.113.9", port: 10500 }, espPacket(0x4242, i + 11), 1001)) toPeer++;
  assert.equal(toPeer, 5);
  assert.equal(fa.counters.drops.lease_budget, 20);
});

test("FA relay: permissions per lease are bounded (oldest evicted)", () => {
  const { fa, host, send } = leasedAgent({ permissionsPerLease: 4 });
  for (let i = 0; i < 10; i++) assert.ok(send({ ip: `203.0.113.${i + 1}`, port: 10500 }, hip(PacketType.I1, host.hit, identity(521).hit)));
  // the lease remembers the last 4: an R2 to the first is refused, to the last allowed
  assert.equal(send({ ip: "203.0.113.1", port: 10500 }, hip(PacketType.R2, host.hit, identity(521).hit)), undefined);
  assert.ok(send({ ip: "203.0.113.10", port: 10500 }, hip(PacketType.R2, host.hit, identity(521).hit)));
  assert.equal(fa.counters.drops.no_permission, 1);
});
