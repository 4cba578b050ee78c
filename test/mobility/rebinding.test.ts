// NAT rebinding (policy followRebinding, RFC 9000 §9.3 analog): authenticated traffic from a new
// source is checked with AC/ACR before data moves there; without the ACR it never moves.
import assert from "node:assert/strict";
import { test } from "node:test";
import { SeededRng } from "../../src/core/rng.ts";
import type { Locator } from "../../src/core/types.ts";
import { HostIdentity } from "../../src/hip/identity.ts";
import { mobilityContext } from "../../src/mobility/codec.ts";
import { LocalModel } from "../../src/mobility/model.ts";
import { makePolicy, type MobilityPolicy } from "../../src/mobility/policy.ts";
import { MobilitySession } from "../../src/mobility/session.ts";
import { PacketType } from "../../src/wire/constants.ts";
import { getParams, parsePacket } from "../../src/wire/packet.ts";
import { L } from "./util.ts";

const rng = new SeededRng(11);
const idA = HostIdentity.generate(rng);
const idB = HostIdentity.generate(rng);
const kAB = rng.fill(new Uint8Array(20));
const kBA = rng.fill(new Uint8Array(20));
const PRIV = L("10.0.0.2", 10500); // A behind the NAT
const OLD = L("198.51.100.1", 20001); // the NAT's first mapping of PRIV
const NEW = L("198.51.100.1", 30002); // after the rebinding
const B = L("192.0.2.2", 10500);

type Spis = (id?: number) => { inbound: number; outbound: number };

function session(me: HostIdentity, peer: HostIdentity, out: Uint8Array, inn: Uint8Array, self: Locator, peerLoc: Locator, p: Partial<MobilityPolicy>, spis: Spis = () => ({ inbound: 0x101, outbound: 0x202 }), local = new LocalModel()) {
  const ctx = mobilityContext({
    localHit: me.hit,
    peerHit: peer.hit,
    hmacKeyOut: out,
    hmacKeyIn: inn,
    sign: (d) => ({ algorithm: me.algorithm, signature: me.sign(d) }),
    verifyPeer: (d, alg, sig) => alg === peer.algorithm && peer.verify(d, sig),
    spis,
    checksum: false, // zero over UDP (RFC 5770 §5.1), as the HIP core sends it: NATs rewrite addresses
  });
  local.addAddress(1, self, 0);
  return new MobilitySession({ ctx, local, policy: makePolicy(p), rng, now: 0, peerLocator: peerLoc, localLocator: self });
}

function pair(p: Partial<MobilityPolicy> = {}) {
  const a = session(idA, idB, kAB, kBA, PRIV, B, p);
  const b = session(idB, idA, kBA, kAB, B, OLD, p);
  return { a, b };
}

test("ESP from a new NAT mapping: AC to it, ACR back through the NAT, then the data path moves", () => {
  const { a, b } = pair();
  assert.deepEqual(b.path?.to, OLD);
  b.handleEspInbound(100, NEW, B);
  const ac = b.pollTransmit();
  assert.ok(ac, "an AC probes the new source");
  assert.deepEqual([ac.to, ac.from], [NEW, B]);
  assert.deepEqual(b.path?.to, OLD, "no data to the new source before its ACR (§6.5)");
  a.handlePacket(110, ac.data, B, PRIV); // the NAT rewrote the destination
  const acr = a.pollTransmit();
  assert.ok(acr);
  assert.deepEqual(acr.to, B);
  b.handlePacket(120, acr.data, NEW, B); // the NAT rewrote the source
  assert.deepEqual(b.path?.to, NEW);
  assert.equal(b.counters.rebindings, 1);
  assert.equal(b.peer.find(OLD)?.addr.status, "deprecated");
});

test("no ACR from the new source: the path stays, the observed address is given up", () => {
  const { b } = pair();
  b.handleEspInbound(100, NEW, B);
  let acs = 0;
  for (let t = 100; t < 60_000; t += 50) {
    b.handleTimeout(t);
    for (let x = b.pollTransmit(); x; x = b.pollTransmit()) if (x.to.port === NEW.port) acs++;
  }
  assert.ok(acs >= 1 && acs <= makePolicy().maxAcAttempts, `ACs to the new source: ${acs}`);
  assert.deepEqual(b.path?.to, OLD);
  assert.equal(b.counters.rebindings, 0);
  assert.notEqual(b.peer.find(NEW)?.addr.status, "active");
});

test("followRebinding off: a new source is ignored; at most maxObserved checks at once", () => {
  const off = pair({ followRebinding: false }).b;
  off.handleEspInbound(100, NEW, B);
  assert.equal(off.pollTransmit(), undefined);
  const { b } = pair({ maxObserved: 2 });
  for (let i = 0; i < 5; i++) b.handleEspInbound(100, L("198.51.100.1", 40000 + i), B);
  let acs = 0;
  for (let x = b.pollTransmit(); x; x = b.pollTransmit()) acs++;
  assert.equal(acs, 2);
});

test("an REA's retransmissions name the same Current SPI as its first copy (§6.1.1.1)", () => {
  // Interface 2 gets its own SA: New SPI 0x303 where the association's is 0x101.
  const local = new LocalModel();
  const a = session(idA, idB, kAB, kBA, PRIV, B, {}, (id) => ({ inbound: id === 2 ? 0x303 : 0x101, outbound: 0x202 }), local);
  local.addInterface(2, 0);
  local.addAddress(2, L("10.0.1.2"), 0);
  a.handleLocalChange(100);
  const infos: { reaId: number; currentSpi: number; newSpi: number }[] = [];
  for (let t = 100; t < 5000 && infos.length < 3; t += 50) {
    a.handleTimeout(t);
    for (let x = a.pollTransmit(); x; x = a.pollTransmit()) {
      const p = parsePacket(x.data.subarray(4), { allowZeroChecksum: true });
      if (!p.ok || p.value.packetType !== PacketType.REA) continue;
      const i = getParams(p.value, "REA_INFO").find((r) => r.interfaceId === 2);
      if (i) infos.push({ reaId: i.reaId, currentSpi: i.currentSpi, newSpi: i.newSpi }); // no AC comes back: retransmitted
    }
  }
  assert.ok(infos.length >= 2, `first copy and a retransmission: ${JSON.stringify(infos)}`);
  for (const i of infos) assert.deepEqual(i, { reaId: infos[0].reaId, currentSpi: 0x101, newSpi: 0x303 });
});
