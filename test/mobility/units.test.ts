import assert from "node:assert/strict";
import { test } from "node:test";
import { SeededRng } from "../../src/core/rng.ts";
import { HostIdentity } from "../../src/hip/identity.ts";
import { ProbeBudget } from "../../src/mobility/budget.ts";
import { mobilityContext } from "../../src/mobility/codec.ts";
import { LocalModel, PeerModel } from "../../src/mobility/model.ts";
import { PathSelector } from "../../src/mobility/paths.ts";
import { DEFAULT_POLICY } from "../../src/mobility/policy.ts";
import { serial16Gt } from "../../src/mobility/rtt.ts";
import { InboundSaTable, ReplayWindow, saLayout } from "../../src/mobility/sa.ts";
import type { ReaInfo } from "../../src/mobility/types.ts";
import { L } from "./util.ts";

const rng = new SeededRng(7);
const idA = HostIdentity.generate(rng);
const idB = HostIdentity.generate(rng);
const kAB = rng.fill(new Uint8Array(20));
const kBA = rng.fill(new Uint8Array(20));
function ctx(me: HostIdentity, peer: HostIdentity, out: Uint8Array, inn: Uint8Array, signer = me) {
  return mobilityContext({
    localHit: me.hit,
    peerHit: peer.hit,
    hmacKeyOut: out,
    hmacKeyIn: inn,
    sign: (d) => ({ algorithm: signer.algorithm, signature: signer.sign(d) }),
    verifyPeer: (d, alg, sig) => alg === peer.algorithm && peer.verify(d, sig),
    spis: () => ({ inbound: 0x101, outbound: 0x202 }),
  });
}
const info = (reaId: number, ifId = 1, ips = ["10.0.0.1", "2001:db8::1"]): ReaInfo => ({
  interfaceId: ifId,
  currentSpiReverse: 0x202,
  currentSpi: 0x101,
  newSpi: 0x101,
  keymatIndex: 0,
  reaId,
  addresses: ips.map((ip) => ({ locator: L(ip, 10500), lifetime: 60, preferred: true })),
});

test("codec: REA with two REA_INFOs and an ESP datagram round-trips, HMAC and signature checked", () => {
  const a = ctx(idA, idB, kAB, kBA);
  const b = ctx(idB, idA, kBA, kAB);
  const esp = new Uint8Array([0, 0, 1, 1, 0, 0, 0, 9, 42]);
  const bytes = a.seal({ type: "REA", infos: [info(5), info(5, 2, ["10.9.9.9"])], espDatagram: esp }, L("10.0.0.1"), L("10.0.0.2"));
  const r = b.open(bytes, L("10.0.0.1"), L("10.0.0.2"));
  assert.ok(r.ok && r.msg.type === "REA");
  assert.equal(r.msg.infos.length, 2);
  assert.deepEqual(r.msg.infos[1].addresses[0].locator, L("10.9.9.9"));
  assert.deepEqual(r.msg.espDatagram, esp);
  // Wrong signer (valid HMAC): bad-signature. Wrong HMAC key: bad-hmac. AC round trip.
  const forged = ctx(idA, idB, kAB, kBA, idB).seal({ type: "REA", infos: [info(6)] }, L("10.0.0.1"), L("10.0.0.2"));
  assert.deepEqual(b.open(forged, L("10.0.0.1"), L("10.0.0.2")), { ok: false, reason: "bad-signature" });
  const badKey = ctx(idA, idB, kBA, kBA).seal({ type: "AC", ac: { acId: 1, reaId: 2, timestamp: 3 } }, L("10.0.0.1"), L("10.0.0.2"));
  assert.deepEqual(b.open(badKey, L("10.0.0.1"), L("10.0.0.2")), { ok: false, reason: "bad-hmac" });
  const ac = a.seal({ type: "ACR", ac: { acId: 1, reaId: 2, timestamp: 0xfffffff0 } }, L("10.0.0.1"), L("10.0.0.2"));
  assert.deepEqual(b.open(ac, L("10.0.0.1"), L("10.0.0.2")), { ok: true, msg: { type: "ACR", ac: { acId: 1, reaId: 2, timestamp: 0xfffffff0 } } });
  // Same packet from another address: checksum fails (malformed).
  assert.equal((b.open(ac, L("10.0.0.3"), L("10.0.0.2")) as { reason: string }).reason, "malformed");
});

test("model: an address belongs to one interface; renumbering replaces; version bumps", () => {
  const m = new LocalModel();
  m.addAddress(1, L("10.0.0.1"), 0);
  m.addAddress(2, L("10.0.0.1"), 0); // moves (§4.1)
  assert.equal(m.interfaceOf(L("10.0.0.1"))?.id, 2);
  assert.equal(m.interfaces.get(1)?.addresses.length, 0);
  const v = m.interfaces.get(2)!.version;
  m.setAddresses(2, [L("10.0.0.5"), L("2001:db8::5")], 0);
  assert.ok(m.interfaces.get(2)!.version > v);
  assert.deepEqual(m.usable(6).map((u) => u.addr.locator), [L("2001:db8::5")]);
});

test("peer model: new interface adds, known replaces, left-out verified address lingers deprecated", () => {
  const p = new PeerModel(L("10.0.0.1"), 0x202, 0);
  let r = p.apply(info(1, 1, ["10.0.0.1", "10.0.0.7"]), 0, 1000, false);
  assert.deepEqual(r.added.map((a) => a.locator.ip), ["10.0.0.7"]);
  assert.equal(p.find(L("10.0.0.1"))?.addr.status, "active");
  r = p.apply(info(2, 3, ["10.5.0.1"]), 10, 1000, false);
  assert.equal(p.find(L("10.0.0.7"))?.addr.status, "unverified", "other interfaces untouched");
  r = p.apply(info(3, 1, ["10.0.0.8"]), 20, 1000, false);
  assert.deepEqual(r.lost.map((a) => a.locator.ip).sort(), ["10.0.0.1", "10.0.0.7"]);
  assert.equal(p.find(L("10.0.0.1"))?.addr.status, "deprecated");
  p.expire(20);
  assert.equal(p.find(L("10.0.0.7")), undefined, "never-verified address dropped at once");
  p.expire(1020);
  assert.equal(p.find(L("10.0.0.1")), undefined);
});

test("budget, serial numbers, replay windows, SA retention and layout", () => {
  const b = new ProbeBudget({ maxProbes: 2, maxBytes: 150, windowMs: 1000 });
  assert.ok(b.charge(L("1.2.3.4"), 80, 0));
  assert.ok(!b.charge(L("1.2.3.4"), 80, 1), "bytes");
  assert.ok(b.charge(L("1.2.3.4"), 60, 2));
  assert.ok(!b.charge(L("1.2.3.4"), 1, 3), "probes");
  assert.ok(b.charge(L("1.2.3.4"), 80, 1000), "new window");
  assert.ok(serial16Gt(1, 0xffff) && !serial16Gt(0xffff, 1) && !serial16Gt(5, 5));
  const w = new ReplayWindow(64);
  assert.equal(w.accept(5), "ok");
  assert.equal(w.accept(3), "ok");
  assert.equal(w.accept(3), "replay");
  assert.equal(w.accept(100), "ok");
  assert.equal(w.accept(20), "too-old");
  const t = new InboundSaTable(64, 500);
  t.add(1);
  t.add(2);
  for (const s of [1, 2, 4]) t.accept(1, s, 0);
  t.retire(1, 10);
  assert.deepEqual(t.sweep(20), [], "seq 3 still missing");
  t.accept(1, 3, 30);
  assert.ok(!t.sas.has(1), "complete → deleted");
  t.retire(2, 40);
  t.accept(2, 5, 41);
  assert.deepEqual(t.sweep(600), [2], "timeout");
  assert.deepEqual([...saLayout(new Map([[1, 10], [2, 15], [3, 200]]), 50)], [[1, 0], [2, 0], [3, 1]]);
});

test("path selector: suspect paths of addresses given up are not kept (at most 64 + the current candidates)", () => {
  const local = new LocalModel();
  local.addAddress(1, L("10.0.0.1"), 0);
  const peer = new PeerModel(L("10.1.0.1"), 0x202, 0);
  const sel = new PathSelector(local, peer, DEFAULT_POLICY);
  // The peer moves 500 times; each path to it fails its liveness check once before the move.
  for (let i = 0; i < 500; i++) {
    peer.apply(info(i + 1, 1, [`10.1.${i >> 8}.${i & 0xff}`]), i * 10, 0, false);
    peer.expire(i * 10);
    sel.markSuspect({ from: L("10.0.0.1"), to: L(`10.1.${i >> 8}.${i & 0xff}`, 10500) });
  }
  const kept = (sel as unknown as { suspects: Set<string> }).suspects.size;
  assert.ok(kept <= 65, `suspect paths kept: ${kept}`);
  assert.ok(sel.isSuspect({ from: L("10.0.0.1"), to: L("10.1.1.243", 10500) }), "the newest one is still suspect");
});
