import assert from "node:assert/strict";
import { test } from "node:test";
import { fillChecksum } from "../../src/wire/checksum.ts";
import { parsePacket } from "../../src/wire/packet.ts";
import { eventsOf, Net, type Packet } from "./net.ts";

const I1 = 1;
const R1 = 2;
const I2 = 3;
const R2 = 4;

function typeOf(hip: Uint8Array): number {
  return hip[2] & 0x7f;
}

/** Offset of the TLV of parameter `type` in a HIP packet. */
function tlvOffset(hip: Uint8Array, type: number): number {
  const p = parsePacket(hip);
  assert.ok(p.ok);
  const i = p.value.params.findIndex((_x, k) => ((hip[p.value.offsets![k]] << 8) | hip[p.value.offsets![k] + 1]) === type);
  assert.ok(i >= 0, `param ${type} present`);
  return p.value.offsets![i];
}

function reChecksum(p: Packet, hip: Uint8Array): Uint8Array {
  fillChecksum(hip, p.from.ip, p.to.ip);
  return hip;
}

/** Flip one byte of the value of parameter `type` (at value offset `at`, default: last byte). */
function flip(hip: Uint8Array, type: number, at?: number): void {
  const o = tlvOffset(hip, type);
  const len = (hip[o + 2] << 8) | hip[o + 3];
  hip[o + 4 + (at ?? len - 1)] ^= 0x01;
}

function pair(seedA: number, seedB: number, cfgA = {}) {
  const net = new Net();
  const a = net.add(seedA, "192.0.2.1", { retransmit: { initialMs: 100, maxTries: 3, maxMs: 200 }, ...cfgA });
  const b = net.add(seedB, "192.0.2.2");
  return { net, a, b };
}

function tamperOnce(net: Net, type: number, fn: (hip: Uint8Array) => void): void {
  let done = false;
  net.tamper = (p, hip) => {
    if (!done && typeOf(hip) === type) {
      done = true;
      fn(hip);
      return reChecksum(p, hip);
    }
    return hip;
  };
}

test("bad puzzle solution in I2 is dropped (bad_puzzle), exchange recovers by retransmission", () => {
  const { net, a, b } = pair(1, 2);
  tamperOnce(net, I2, (hip) => flip(hip, 321));
  a.host.connect(0, b.loc, b.host.hit, a.loc);
  net.run(5000);
  assert.equal(b.host.counters["drop.bad_puzzle"], 1);
  assert.equal(b.host.counters["tx.NOTIFY"] ?? 0, 0); // RFC 7401 §5.4.3: ICMP, not NOTIFY
  assert.equal(a.host.association(b.host.hit)?.state, "ESTABLISHED");
});

test("bad HIP_SIGNATURE in I2: dropped, NOTIFY AUTHENTICATION_FAILED", () => {
  const { net, a, b } = pair(3, 4);
  tamperOnce(net, I2, (hip) => flip(hip, 61697, 10));
  a.host.connect(0, b.loc, b.host.hit, a.loc);
  net.run(5000);
  assert.equal(b.host.counters["drop.bad_signature"], 1);
  assert.equal(b.host.counters["tx.NOTIFY"], 1);
  const n = eventsOf(a, "notify");
  assert.equal(n.length, 1);
  assert.equal(n[0].notifyType, 24);
  assert.equal(n[0].verified, true);
  assert.equal(a.host.association(b.host.hit)?.state, "ESTABLISHED");
});

test("bad HIP_MAC in I2: dropped without a NOTIFY (nothing signed for an unauthenticated I2, issue 9)", () => {
  const { net, a, b } = pair(5, 6);
  tamperOnce(net, I2, (hip) => flip(hip, 61505, 0));
  a.host.connect(0, b.loc, b.host.hit, a.loc);
  net.run(5000);
  assert.equal(b.host.counters["drop.bad_mac"], 1);
  assert.equal(b.host.counters["notify.unauthenticated"], 1);
  assert.equal(b.host.counters["tx.NOTIFY"] ?? 0, 0);
  assert.deepEqual(eventsOf(a, "notify"), []);
});

test("bad HIP_MAC_2 in R2 and bad HIP_SIGNATURE_2 in R1 are dropped by the Initiator", () => {
  const { net, a, b } = pair(7, 8);
  tamperOnce(net, R2, (hip) => flip(hip, 61569, 3));
  a.host.connect(0, b.loc, b.host.hit, a.loc);
  net.run(5000);
  assert.equal(a.host.counters["drop.bad_mac"], 1);
  assert.equal(a.host.association(b.host.hit)?.state, "ESTABLISHED"); // I2 retransmit → R2 again
  const p2 = pair(9, 10);
  tamperOnce(p2.net, R1, (hip) => flip(hip, 61633, 7));
  p2.a.host.connect(0, p2.b.loc, p2.b.host.hit, p2.a.loc);
  p2.net.run(5000);
  assert.equal(p2.a.host.counters["drop.bad_signature"], 1);
  assert.equal(p2.a.host.association(p2.b.host.hit)?.state, "ESTABLISHED");
});

test("unknown critical parameter in I2: dropped before any work, no NOTIFY (not authenticated); retransmission recovers", () => {
  const { net, a, b } = pair(11, 12);
  let done = false;
  net.tamper = (p, hip) => {
    if (done || typeOf(hip) !== I2) return hip;
    done = true;
    const o = tlvOffset(hip, 4095); // insert type 2051 (odd = critical, unknown) before ESP_TRANSFORM
    const extra = new Uint8Array([0x08, 0x03, 0x00, 0x04, 1, 2, 3, 4]);
    const out = new Uint8Array(hip.length + 8);
    out.set(hip.subarray(0, o));
    out.set(extra, o);
    out.set(hip.subarray(o), o + 8);
    out[1] = out.length / 8 - 1;
    return reChecksum(p, out);
  };
  a.host.connect(0, b.loc, b.host.hit, a.loc);
  net.run(5000);
  assert.equal(b.host.counters["drop.unknown_critical"], 1);
  assert.equal(b.host.counters["tx.NOTIFY"] ?? 0, 0); // §5.2.1 MAY; no signed reply before the MAC (issue 9)
  assert.equal(a.host.association(b.host.hit)?.state, "ESTABLISHED");
});

test("unknown critical parameter in I1 is dropped silently", () => {
  const { net, a, b } = pair(13, 14);
  net.tamper = (p, hip) => {
    if (typeOf(hip) !== I1) return hip;
    const out = new Uint8Array(hip.length + 8);
    out.set(hip);
    out.set([0x08, 0x03, 0x00, 0x04, 1, 2, 3, 4], hip.length);
    out[1] = out.length / 8 - 1;
    return reChecksum(p, out);
  };
  a.host.connect(0, b.loc, b.host.hit, a.loc);
  net.run(5000);
  assert.equal(b.host.counters["drop.unknown_critical"], 3);
  assert.equal(b.host.counters["tx.NOTIFY"] ?? 0, 0);
  assert.equal(eventsOf(a, "failed")[0]?.reason, "timeout");
});

test("unsolicited R1, R2, replayed stale I2, bad checksum and garbage are dropped with counters", () => {
  const { net, a, b } = pair(15, 16);
  const seen = new Map<number, { p: Packet; hip: Uint8Array }>();
  net.tamper = (p, hip) => {
    seen.set(typeOf(hip), { p, hip: hip.slice() });
    return hip;
  };
  a.host.connect(0, b.loc, b.host.hit, a.loc);
  net.run(1000);
  const r1 = seen.get(R1)!;
  const r2 = seen.get(R2)!;
  const i2 = seen.get(I2)!;
  a.host.handleDatagram(net.now, r1.hip, r1.p.from, a.loc);
  a.host.handleDatagram(net.now, r2.hip, r2.p.from, a.loc);
  assert.equal(a.host.counters["drop.unsolicited_r1"], 1);
  assert.equal(a.host.counters["drop.unsolicited_r2"], 1);
  // the I2 replayed to B much later: its R1 generation is gone
  b.host.close(net.now, a.host.hit);
  net.run(net.now + 1000);
  net.run(net.now + 1_000_000);
  b.host.handleDatagram(net.now, i2.hip, i2.p.from, b.loc);
  assert.equal(b.host.counters["drop.stale_r1_counter"], 1);
  const bad = r1.hip.slice();
  bad[4] ^= 0xff;
  a.host.handleDatagram(net.now, bad, r1.p.from, a.loc);
  assert.equal(a.host.counters["drop.bad_checksum"], 1);
  a.host.handleDatagram(net.now, new Uint8Array([1, 2, 3]), r1.p.from, a.loc);
  assert.equal(a.host.counters["drop.malformed"], 1);
  net.run(net.now); // collect events
  const drops = eventsOf(a, "drop").map((e) => e.reason);
  assert.deepEqual(drops.slice(-4), ["unsolicited_r1", "unsolicited_r2", "bad_checksum", "malformed"]);
});

test("DH downgrade (I1 list altered in flight) is detected by the Initiator", () => {
  const { net, a, b } = pair(17, 18);
  net.tamper = (p, hip) => {
    if (typeOf(hip) !== I1) return hip;
    const o = tlvOffset(hip, 511);
    hip.set([0x01, 0xff, 0x00, 0x01, 7, 0, 0, 0], o); // DH_GROUP_LIST = [7]
    return reChecksum(p, hip);
  };
  a.host.connect(0, b.loc, b.host.hit, a.loc);
  net.run(5000);
  assert.equal(eventsOf(a, "failed")[0]?.reason, "dh_downgrade");
  assert.equal(a.host.association(b.host.hit), undefined);
});

test("wrong peer HIT (HI does not hash to the expected HIT) is dropped", () => {
  const { net, a, b } = pair(19, 20);
  const c = net.add(21, "192.0.2.3");
  a.host.connect(0, b.loc, c.host.hit, a.loc); // expects C's HIT at B's address
  net.run(5000);
  assert.ok((b.host.counters["drop.wrong_receiver_hit"] ?? 0) >= 1);
  assert.equal(eventsOf(a, "failed")[0]?.reason, "timeout");
});

test("unknown critical parameter in an authenticated CLOSE: NOTIFY after the HIP_MAC check, then the retransmitted CLOSE succeeds", async () => {
  const { authenticate } = await import("../../src/hip/auth.ts");
  const { emitPacket } = await import("../../src/wire/packet.ts");
  const { sha384 } = await import("@noble/hashes/sha2.js");
  const { net, a, b } = pair(22, 23);
  a.host.connect(0, b.loc, b.host.hit, a.loc);
  net.run(1000);
  const assocA = a.host.association(b.host.hit)!;
  let done = false;
  net.tamper = (p, hip) => {
    if (done || typeOf(hip) !== 18) return hip;
    done = true;
    // The sender's own CLOSE with an unknown critical parameter (type 2051), MAC and signature valid.
    const parsed = parsePacket(hip);
    assert.ok(parsed.ok);
    const params = parsed.value.params.filter((x) => x.kind !== "HIP_MAC" && x.kind !== "HIP_SIGNATURE");
    params.push({ kind: "UNKNOWN", type: 2051, value: new Uint8Array([9, 9, 9, 9]) });
    const pkt = authenticate({ ...parsed.value, params, offsets: undefined, bytes: undefined }, { hash: sha384, macKey: assocA.macKeyOut, signer: a.host.identity });
    return reChecksum(p, emitPacket(pkt));
  };
  a.host.close(net.now, b.host.hit);
  net.run(net.now + 5000);
  assert.equal(b.host.counters["drop.unknown_critical"], 1);
  assert.equal(eventsOf(a, "notify")[0]?.notifyType, 1);
  assert.deepEqual(eventsOf(a, "closed").map((e) => e.reason), ["local"]);
});

test("connect to our own HIT fails at once (failed: own_hit, refused.own_hit), nothing sent", () => {
  const net = new Net();
  const a = net.add(41, "192.0.2.1");
  a.host.connect(0, { ip: "192.0.2.1", port: 10500 }, a.host.hit);
  net.run(5000);
  assert.equal(net.sent, 0, "no I1 to ourselves");
  assert.deepEqual(
    a.events.filter((e) => e.type === "failed").map((e) => (e as { reason: string }).reason),
    ["own_hit"],
  );
  assert.equal(a.host.counters["refused.own_hit"], 1);
  assert.equal(a.host.association(a.host.hit), undefined, "no association kept");
});
