// UPDATE rekeying (RFC 7402 §6.9, RFC 7401 §6.11-§6.12) between two HipHosts on the test net:
// matching new SA pairs from a fresh KEYMAT index, tampered / replayed UPDATEs dropped and
// counted, lost UPDATEs retransmitted (bounded), simultaneous rekeys resolved by HIT order; with a
// new Diffie-Hellman (RFC 7402 §6.10) when asked or when KEYMAT is used up.
import assert from "node:assert/strict";
import { test } from "node:test";
import { SeededRng } from "../../src/core/rng.ts";
import { authenticate } from "../../src/hip/auth.ts";
import { generateDhKey } from "../../src/hip/dh.ts";
import { compareHits } from "../../src/hip/hit.ts";
import { UpdateExtension, type UpdateOptions } from "../../src/hip/update.ts";
import { fillChecksum } from "../../src/wire/checksum.ts";
import { emitPacket, getParam, parsePacket } from "../../src/wire/packet.ts";
import type { Param } from "../../src/wire/params/index.ts";
import { eventsOf, Net, type Node } from "./net.ts";

const UPDATE = 16;

function setup(seed: number, oa: UpdateOptions = {}, ob: UpdateOptions = {}) {
  const net = new Net();
  const a = net.add(seed, "192.0.2.1");
  const b = net.add(seed + 1, "192.0.2.2");
  const ua = new UpdateExtension(a.host, oa);
  const ub = new UpdateExtension(b.host, ob);
  a.host.connect(net.now, b.loc, b.host.hit, a.loc);
  net.run(1000);
  const sb = eventsOf(b, "sa-install")[0];
  b.host.noteEspReceived(net.now, sb.inbound.spi, a.loc); // R2-SENT → ESTABLISHED (§6.9 step 21)
  net.run(net.now + 1);
  assert.equal(b.host.association(a.host.hit)?.state, "ESTABLISHED");
  return { net, a, b, ua, ub };
}

function checkPair(x: Node, y: Node): void {
  const rx = eventsOf(x, "sa-rekey").at(-1)!;
  const ry = eventsOf(y, "sa-rekey").at(-1)!;
  assert.ok(rx && ry, "both switched");
  assert.equal(rx.outbound.spi, ry.inbound.spi);
  assert.equal(ry.outbound.spi, rx.inbound.spi);
  assert.deepEqual(rx.outbound.encKey, ry.inbound.encKey);
  assert.deepEqual(rx.inbound.encKey, ry.outbound.encKey);
  assert.notDeepEqual(rx.inbound.encKey, rx.outbound.encKey);
  const ax = x.host.association(y.host.hit)!;
  assert.equal(ax.spiIn, rx.inbound.spi);
  assert.equal(ax.spiOut, rx.outbound.spi);
}

test("rekey: UPDATE / UPDATE+ACK / ACK installs a matching new pair from a fresh KEYMAT index", () => {
  const { net, a, b, ua, ub } = setup(11);
  const old = eventsOf(a, "sa-install")[0];
  const idx = a.host.association(b.host.hit)!.keymatIndex;
  assert.ok(ua.rekey(net.now, b.host.hit));
  assert.ok(ua.pending(b.host.hit));
  net.run(net.now + 100);
  checkPair(a, b);
  const ra = eventsOf(a, "sa-rekey")[0];
  assert.equal(ra.oldInboundSpi, old.inbound.spi);
  assert.equal(ra.oldOutboundSpi, old.outbound.spi);
  assert.notDeepEqual(ra.outbound.encKey, old.outbound.encKey);
  assert.notEqual(ra.inbound.spi, old.inbound.spi);
  // Each side announced its new inbound SA before switching.
  assert.equal(eventsOf(a, "sa-add")[0].sa.spi, ra.inbound.spi);
  assert.equal(eventsOf(b, "sa-add")[0].sa.spi, ra.outbound.spi);
  assert.ok(a.host.association(b.host.hit)!.keymatIndex > idx, "KEYMAT consumed");
  assert.equal(a.host.counters["tx.UPDATE"], 2);
  assert.equal(b.host.counters["tx.UPDATE"], 1);
  assert.equal(ua.counters["rekey.done"], 1);
  assert.equal(ub.counters["rekey.done"], 1);
  assert.equal(a.host.counters.drop ?? 0, 0);
  assert.equal(b.host.counters.drop ?? 0, 0);
  assert.ok(!ua.pending(b.host.hit) && !ub.pending(a.host.hit));
  // The old inbound SPI still finds the association for a while, then is released.
  assert.equal(a.host.associationBySpi(old.inbound.spi), a.host.association(b.host.hit));
  net.run(net.now + 5000);
  assert.equal(a.host.associationBySpi(old.inbound.spi), undefined);
  assert.ok(a.host.associationBySpi(ra.inbound.spi));
  // A second rekey draws yet another index and works from the peer side too.
  assert.ok(ub.rekey(net.now, a.host.hit));
  net.run(net.now + 100);
  checkPair(b, a);
  assert.notEqual(eventsOf(a, "sa-rekey")[1].inbound.spi, ra.inbound.spi);
  assert.notDeepEqual(eventsOf(a, "sa-rekey")[1].inbound.encKey, ra.inbound.encKey);
});

test("rekey: tampered UPDATEs are dropped (bad_mac, bad_signature); retransmission recovers", () => {
  const { net, a, b, ua, ub } = setup(21);
  let n = 0;
  net.tamper = (p, hip) => {
    if (hip[2] !== UPDATE || n >= 2) return hip;
    n++;
    const t = hip.slice();
    if (n === 1) t[55] ^= 1; // ESP_INFO New SPI: HIP_MAC fails
    else t[t.length - 12] ^= 1; // inside HIP_SIGNATURE
    t[4] = 0;
    t[5] = 0;
    fillChecksum(t, p.from.ip, p.to.ip); // an attacker can fix the checksum, not the MAC
    return t;
  };
  ua.rekey(net.now, b.host.hit);
  net.run(net.now + 500);
  assert.equal(b.host.counters["drop.bad_mac"], 1);
  assert.equal(eventsOf(b, "sa-rekey").length, 0);
  net.run(net.now + 1000);
  assert.equal(b.host.counters["drop.bad_signature"], 1);
  assert.equal(ub.counters["rekey.drop.bad_signature"], 1);
  net.run(net.now + 4000);
  assert.equal(ua.counters["rekey.retransmit"], 2);
  checkPair(a, b);
  assert.equal(eventsOf(a, "sa-rekey").length, 1);
});

test("rekey: lost reply and lost ACK are recovered; replayed old UPDATEs are dropped", () => {
  const { net, a, b, ua, ub } = setup(31);
  const seen: Uint8Array[] = [];
  let lostReply = false;
  let lostAck = false;
  net.tamper = (p, hip) => {
    if (hip[2] !== UPDATE) return hip;
    if (p.src === a) seen.push(hip.slice());
    if (p.src === b && !lostReply) {
      lostReply = true;
      return undefined;
    }
    if (p.src === a && seen.length >= 3 && !lostAck) {
      lostAck = true; // the first ACK-only UPDATE
      return undefined;
    }
    return hip;
  };
  ua.rekey(net.now, b.host.hit);
  net.run(net.now + 20_000);
  assert.ok(lostReply && lostAck);
  checkPair(a, b);
  assert.equal(ua.counters["rekey.done"], 1);
  assert.equal(ub.counters["rekey.done"], 1);
  assert.ok((ub.counters["rekey.dup"] ?? 0) >= 1, "the duplicate request was answered again");
  assert.ok((ua.counters["rekey.dup"] ?? 0) >= 1, "the duplicate reply was ACKed again");
  // Second rekey, then replay the first request: an older Update ID is dropped.
  ua.rekey(net.now, b.host.hit);
  net.run(net.now + 200);
  assert.equal(eventsOf(b, "sa-rekey").length, 2);
  b.host.handleDatagram(net.now, seen[0], a.loc, b.loc);
  net.run(net.now + 100);
  assert.equal(b.host.counters["drop.replayed_update"], 1);
  assert.equal(eventsOf(b, "sa-rekey").length, 2);
  assert.equal(eventsOf(b, "sa-add").length, 2);
});

test("rekey: retransmission is bounded; giving up removes the new inbound SA and keeps the old pair", () => {
  const { net, a, b, ua } = setup(41);
  net.filter = (p) => !(p.src === a && p.data[4 + 2] === UPDATE);
  const before = a.host.association(b.host.hit)!.spiIn;
  ua.rekey(net.now, b.host.hit);
  net.run(net.now + 60_000);
  assert.equal(ua.counters["rekey.retransmit"], a.host.cfg.retransmit.maxTries - 1);
  assert.equal(ua.counters["rekey.timeout"], 1);
  assert.ok(!ua.pending(b.host.hit));
  const add = eventsOf(a, "sa-add")[0];
  const del = eventsOf(a, "sa-delete")[0];
  assert.equal(del.spi, add.sa.spi);
  assert.equal(del.direction, "in");
  assert.equal(a.host.association(b.host.hit)!.spiIn, before);
  assert.equal(a.host.associationBySpi(add.sa.spi), undefined);
  assert.equal(eventsOf(a, "sa-rekey").length, 0);
});

for (const newDh of [undefined, "always"] as const) {
  test(`rekey: simultaneous UPDATEs${newDh ? " with Diffie-Hellman" : ""}: the smaller HIT yields, one matching pair${newDh ? " from one new KEYMAT" : ""} results`, () => {
    const { net, a, b, ua, ub } = setup(newDh ? 81 : 51, { newDh }, { newDh });
    ua.rekey(net.now, b.host.hit);
    ub.rekey(net.now, a.host.hit);
    net.run(net.now + 3000);
    checkPair(a, b);
    assert.equal(eventsOf(a, "sa-rekey").length, 1);
    assert.equal(eventsOf(b, "sa-rekey").length, 1);
    const [small, smallExt] = compareHits(a.host.hit, b.host.hit) < 0 ? [a, ua] : [b, ub];
    assert.equal(smallExt.counters["rekey.simultaneous_yielded"], 1);
    if (!newDh) {
      // Both drew the same KEYMAT index (one allocator each, in step): the yielding side keeps the
      // inbound SA it announced (same keys) rather than installing those keys a second time.
      assert.equal(eventsOf(small, "sa-delete").length, 0, "its own inbound SA at that index is kept");
      assert.equal(eventsOf(small, "sa-add").length, 1, "those keys are installed once");
      return;
    }
    assert.equal(a.host.association(b.host.hit)!.keymatIndex, b.host.association(a.host.hit)!.keymatIndex);
    // Both KEYMATs agree: a plain rekey after it matches.
    ua.rekey(net.now, b.host.hit);
    net.run(net.now + 100);
    assert.equal(eventsOf(a, "sa-rekey").length, 2);
    checkPair(a, b);
  });
}

test("rekey: simultaneous UPDATEs, the smaller HIT's KEYMAT used up (its request brings a Diffie-Hellman): the Diffie-Hellman request wins, one matching pair results", () => {
  const { net, a, b, ua, ub } = setup(93);
  const [small, smallExt, big, bigExt] = compareHits(a.host.hit, b.host.hit) < 0 ? [a, ua, b, ub] : [b, ub, a, ua];
  // The smaller HIT's side drew its whole KEYMAT (rekeys, per-interface SAs): it cannot take a
  // pair at the index the other side names; its own request must bring a new Diffie-Hellman.
  const as = small.host.association(big.host.hit)!;
  while (as.drawSaPair(0x1000, 0)) {}
  assert.ok(smallExt.rekey(net.now, big.host.hit));
  assert.equal(smallExt.counters["rekey.dh"], 1);
  assert.ok(bigExt.rekey(net.now, small.host.hit));
  assert.equal(bigExt.counters["rekey.dh"] ?? 0, 0, "the greater HIT's request draws from its KEYMAT");
  net.run(net.now + 3000);
  // Before: the greater HIT kept its request, the smaller yielded but could not answer it
  // (keymat index below its drawn mark): both timed out, no new keys on either side.
  checkPair(a, b);
  assert.equal(eventsOf(a, "sa-rekey").length, 1);
  assert.equal(eventsOf(b, "sa-rekey").length, 1);
  assert.equal(bigExt.counters["rekey.simultaneous_yielded"], 1, "the plain request yields to the Diffie-Hellman one");
  assert.equal(bigExt.counters["rekey.timeout"] ?? 0, 0);
  assert.equal(smallExt.counters["rekey.timeout"] ?? 0, 0);
  // The new KEYMAT serves both: a plain rekey after it matches.
  assert.ok(smallExt.rekey(net.now, big.host.hit));
  net.run(net.now + 100);
  checkPair(small, big);
});

/** One authenticated UPDATE from `x` to `y` with `params` (what a peer that holds the keys can send). */
function updateFrom(x: Node, y: Node, params: Param[]): Uint8Array {
  const ax = x.host.association(y.host.hit)!;
  return emitPacket(authenticate({ packetType: UPDATE, controls: 0, senderHit: x.host.hit, receiverHit: y.host.hit, params }, { hash: ax.rhash, macKey: ax.macKeyOut, signer: ax.signer }));
}

test("rekey with a new Diffie-Hellman (RFC 7402 §6.10): both sides switch to one new KEYMAT; later rekeys draw from it", () => {
  const { net, a, b, ua, ub } = setup(61, { newDh: "always" });
  const dhSeen: number[] = [];
  net.tamper = (_p, hip) => {
    if (hip[2] === UPDATE) {
      const pkt = parsePacket(hip);
      if (pkt.ok) {
        const dh = getParam(pkt.value, "DIFFIE_HELLMAN");
        const info = getParam(pkt.value, "ESP_INFO");
        if (dh) dhSeen.push(info?.keymatIndex ?? -1);
      }
    }
    return hip;
  };
  const aa = a.host.association(b.host.hit)!;
  const ab = b.host.association(a.host.hit)!;
  const oldKeymat = aa.keymat;
  assert.ok(aa.keymatIndex > 0);
  assert.ok(ua.rekey(net.now, b.host.hit));
  // The requester announces no inbound SA before it has the peer's key.
  assert.equal(eventsOf(a, "sa-add").length, 0);
  net.run(net.now + 100);
  checkPair(a, b);
  assert.deepEqual(dhSeen, [0, 0], "request and reply each carry a DIFFIE_HELLMAN, KEYMAT index 0");
  assert.equal(ua.counters["rekey.dh"], 1);
  assert.equal(ub.counters["rekey.dh.answered"], 1);
  assert.notEqual(aa.keymat, oldKeymat, "a new KEYMAT");
  assert.equal(oldKeymat!.wipedBelow, oldKeymat!.maxLength, "the old one wiped");
  const len = aa.pairLength()!;
  assert.equal(aa.keymatIndex, len, "the allocator starts over: the rekey's pair at index 0");
  assert.equal(ab.keymatIndex, len);
  const ra = eventsOf(a, "sa-rekey")[0];
  assert.equal(eventsOf(a, "sa-add").length, 0, "the requester's new inbound SA comes with sa-rekey");
  assert.equal(eventsOf(b, "sa-add")[0].sa.spi, ra.outbound.spi);
  assert.equal(a.host.counters.drop ?? 0, 0);
  assert.equal(b.host.counters.drop ?? 0, 0);
  // A rekey without Diffie-Hellman from the other side draws from the new KEYMAT on both sides.
  dhSeen.length = 0;
  assert.ok(ub.rekey(net.now, a.host.hit));
  net.run(net.now + 100);
  checkPair(b, a);
  assert.deepEqual(dhSeen, []);
  assert.equal(aa.keymatIndex, 2 * len);
  assert.equal(ab.keymatIndex, 2 * len);
  // And a second one with Diffie-Hellman, then the peer's plain one again.
  ua.rekey(net.now, b.host.hit);
  net.run(net.now + 100);
  checkPair(a, b);
  ub.rekey(net.now, a.host.hit);
  net.run(net.now + 100);
  checkPair(b, a);
  assert.equal(eventsOf(a, "sa-rekey").length, 4);
  assert.equal(a.host.counters.drop ?? 0, 0);
  assert.equal(b.host.counters.drop ?? 0, 0);
});

test("rekey: once KEYMAT is used up, the next rekey brings a new Diffie-Hellman and rekeying goes on", () => {
  const { net, a, b, ua, ub } = setup(71);
  const aa = a.host.association(b.host.hit)!;
  const per = Math.floor((aa.keymat!.maxLength - aa.keymatIndex) / aa.pairLength()!);
  for (let i = 0; i < per + 3; i++) {
    assert.ok((i % 2 === 0 ? ua : ub).rekey(net.now, (i % 2 === 0 ? b : a).host.hit), `rekey ${i}`);
    net.run(net.now + 100);
    if (i % 2 === 0) checkPair(a, b);
    else checkPair(b, a);
  }
  assert.equal(eventsOf(a, "sa-rekey").length, per + 3);
  assert.equal((ua.counters["rekey.dh"] ?? 0) + (ub.counters["rekey.dh"] ?? 0), 1, "one rekey with Diffie-Hellman, where KEYMAT ran out");
  assert.equal(ua.counters["rekey.keymat_exhausted"] ?? 0, 0);
  assert.equal(a.host.counters.drop ?? 0, 0);
  assert.equal(b.host.counters.drop ?? 0, 0);
});

test("rekey: hostile Diffie-Hellman UPDATEs (index not zero, other group, value off the curve) are dropped and change nothing", () => {
  const { net, a, b, ub } = setup(91);
  const ab = b.host.association(a.host.hit)!;
  const before = { spiIn: ab.spiIn, spiOut: ab.spiOut, keymat: ab.keymat, index: ab.keymatIndex };
  const good = generateDhKey(new SeededRng(5), ab.dhGroup);
  const other = generateDhKey(new SeededRng(6), ab.dhGroup === 7 ? 8 : 7);
  const offCurve = good.publicValue.slice();
  offCurve[offCurve.length - 1] ^= 1;
  const cases: [string, Param[]][] = [
    ["bad_keymat_index", [{ kind: "ESP_INFO", keymatIndex: 400, oldSpi: ab.spiOut, newSpi: 0x1234 }, { kind: "SEQ", updateId: 10 }, { kind: "DIFFIE_HELLMAN", groupId: good.group, publicValue: good.publicValue }]],
    ["bad_dh_group", [{ kind: "ESP_INFO", keymatIndex: 0, oldSpi: ab.spiOut, newSpi: 0x1234 }, { kind: "SEQ", updateId: 11 }, { kind: "DIFFIE_HELLMAN", groupId: other.group, publicValue: other.publicValue }]],
    ["bad_dh_value", [{ kind: "ESP_INFO", keymatIndex: 0, oldSpi: ab.spiOut, newSpi: 0x1234 }, { kind: "SEQ", updateId: 12 }, { kind: "DIFFIE_HELLMAN", groupId: good.group, publicValue: offCurve }]],
  ];
  for (const [why, params] of cases) {
    b.host.handleDatagram(net.now, updateFrom(a, b, params), a.loc, b.loc);
    net.run(net.now + 10);
    assert.equal(ub.counters[`rekey.drop.${why}`], 1, why);
  }
  assert.equal(eventsOf(b, "sa-add").length, 0);
  assert.equal(eventsOf(b, "sa-rekey").length, 0);
  assert.deepEqual({ spiIn: ab.spiIn, spiOut: ab.spiOut, keymat: ab.keymat, index: ab.keymatIndex }, before);
  // An honest one after them still works.
  b.host.handleDatagram(net.now, updateFrom(a, b, [{ kind: "ESP_INFO", keymatIndex: 0, oldSpi: ab.spiOut, newSpi: 0x1234 }, { kind: "SEQ", updateId: 13 }, { kind: "DIFFIE_HELLMAN", groupId: good.group, publicValue: good.publicValue }]), a.loc, b.loc);
  net.run(net.now + 10);
  assert.equal(ub.counters["rekey.dh.answered"], 1);
  assert.equal(eventsOf(b, "sa-add").length, 1);
});
