// Issue 9 item 3: no amplification. No signature for unauthenticated packets (except the
// rate-limited R1s), no reply larger than an unauthenticated request, NOTIFY HOST_ID bound to the
// sender HIT, AC probe budgets per IP address.
import assert from "node:assert/strict";
import { test } from "node:test";
import { sha384 } from "@noble/hashes/sha2.js";
import { SeededRng } from "../../src/core/rng.ts";
import { HostIdentity } from "../../src/hip/identity.ts";
import { solvePuzzle } from "../../src/hip/puzzle.ts";
import { emitPacket, getParam, type HipPacket } from "../../src/wire/packet.ts";
import type { Param } from "../../src/wire/params/index.ts";
import { isHip, L as ML, pair } from "../mobility/util.ts";
import { associated, countSignatures, drain, host, L, parse, signedBy } from "./helpers.ts";

const UNKNOWN_CRITICAL: Param = { kind: "UNKNOWN", type: 2051, value: new Uint8Array([1, 2, 3, 4]) };
const GARBAGE_MAC: Param = { kind: "UNKNOWN", type: 61505, value: new Uint8Array(48).fill(7) };

/** An attacker's I2 for the HIT pair (sender, receiver): asks `resp` for an R1 from `from`, solves it. */
function solvedI2(resp: ReturnType<typeof host>, sender: Uint8Array, from: ReturnType<typeof L>, extra: Param[]): HipPacket {
  const to = L("192.0.2.2");
  resp.handleDatagram(0, emitPacket({ packetType: 1, controls: 0, senderHit: sender, receiverHit: resp.hit, params: [{ kind: "DH_GROUP_LIST", groups: [8, 7] }] }), from, to);
  const r1 = drain(resp).map((t) => parse(t.hip)).find((p) => p.packetType === 2)!;
  const puzzle = getParam(r1, "PUZZLE")!;
  const counter = getParam(r1, "R1_COUNTER")!.counter;
  const J = solvePuzzle(sha384, new SeededRng(5), puzzle.randomI, sender, resp.hit, puzzle.k)!;
  return {
    packetType: 3,
    controls: 0,
    senderHit: sender,
    receiverHit: resp.hit,
    params: [{ kind: "R1_COUNTER", counter }, { kind: "SOLUTION", k: puzzle.k, opaque: puzzle.opaque, randomI: puzzle.randomI, solutionJ: J }, ...extra],
  };
}

test("unknown critical parameter in I2 / R2 / CLOSE / CLOSE_ACK with an association's HIT: no signature, no reply", () => {
  const { a, b } = associated(11, 12);
  assert.ok(b.h.association(a.h.hit), "B holds the association with A");
  const m = L("198.51.100.7"); // the attacker, spoofing A's HIT
  const i2 = emitPacket(solvedI2(b.h, a.h.hit, m, [UNKNOWN_CRITICAL]));
  const sigs = countSignatures(b.h.identity);
  const packets = [i2, ...[4, 18, 19].map((t) => emitPacket({ packetType: t, controls: 0, senderHit: a.h.hit, receiverHit: b.h.hit, params: [UNKNOWN_CRITICAL, GARBAGE_MAC] }))];
  let bytesIn = 0;
  for (const p of packets) {
    bytesIn += p.length;
    b.h.handleDatagram(1, p, m, b.loc);
  }
  const out = drain(b.h);
  assert.equal(sigs.n, 0, "no signature computed for unauthenticated packets");
  assert.deepEqual(out, [], `no reply (${bytesIn} bytes in)`);
  assert.equal(b.h.counters["tx.NOTIFY"] ?? 0, 0);
  assert.equal(b.h.counters["drop.unknown_critical"], 4);
  assert.ok(b.h.association(a.h.hit), "the association is untouched");
});

test("solved-puzzle I2 with missing parameters: no NOTIFY at all before HIP_MAC (no signed reply, no reflection)", () => {
  const b = host(21);
  const sender = HostIdentity.generate(new SeededRng(22), "P-256").hit;
  const i2 = emitPacket(solvedI2(b, sender, L("198.51.100.8"), []));
  b.handleDatagram(1, i2, L("198.51.100.8"), L("192.0.2.2"));
  const out = drain(b);
  const outBytes = out.reduce((n, t) => n + t.hip.length, 0);
  assert.ok(outBytes <= i2.length, `reply ${outBytes} bytes to a ${i2.length}-byte I2`);
  assert.equal(b.counters["drop.missing_param"], 1);
  assert.equal(b.counters["notify.unauthenticated"], 1);
  assert.equal(b.counters["tx.NOTIFY"] ?? 0, 0);
});

function i1(sender: Uint8Array, receiver: Uint8Array): Uint8Array {
  return emitPacket({ packetType: 1, controls: 0, senderHit: sender, receiverHit: receiver, params: [{ kind: "DH_GROUP_LIST", groups: [8, 7] }] });
}

test("spoofed I1 flood: R1s limited per source prefix and globally; bytes out / bytes in measured", () => {
  const limits = { r1PerPrefix: { ratePerSec: 5, burst: 10 }, r1Global: { ratePerSec: 20, burst: 20 } };
  const b = host(31, { limits });
  const base = HostIdentity.generate(new SeededRng(32), "P-256").hit;
  const hit = (i: number) => {
    const h = base.slice();
    h[14] = i >> 8;
    h[15] = i & 0xff;
    return h;
  };
  const flood = (n: number, src: (i: number) => string, t0: number) => {
    let bytesIn = 0;
    let bytesOut = 0;
    let r1s = 0;
    for (let i = 0; i < n; i++) {
      const p = i1(hit(i), b.hit);
      bytesIn += p.length;
      b.handleDatagram(t0 + i, p, L(src(i), 10500 + (i % 100)), L("192.0.2.2")); // 1000 I1/s
      for (const t of drain(b)) {
        r1s++;
        bytesOut += t.hip.length;
      }
    }
    return { r1s, ratio: bytesOut / bytesIn };
  };
  // One /24, 1000 I1s over 1 s: the per-prefix bucket (burst 10 + 5/s).
  const one = flood(1000, (i) => `203.0.113.${i % 250}`, 0);
  assert.ok(one.r1s <= 16, `R1s from one /24: ${one.r1s}`);
  assert.ok(one.ratio < 0.2, `amplification ${one.ratio.toFixed(3)}`);
  // One IPv6 /64 (many addresses in it): the same.
  const v6 = flood(1000, (i) => `2001:db8:0:1::${(i + 1).toString(16)}`, 100_000);
  assert.ok(v6.r1s <= 16, `R1s from one /64: ${v6.r1s}`);
  // 1000 different /24s: the global bucket (burst 20 + 20/s).
  const many = flood(1000, (i) => `10.${i >> 8}.${i & 0xff}.1`, 200_000);
  assert.ok(many.r1s <= 41, `R1s from 1000 prefixes: ${many.r1s}`);
  assert.ok(many.ratio < 1, `amplification ${many.ratio.toFixed(3)}`);
  assert.equal(b.counters["drop.rate_r1"], 3000 - one.r1s - v6.r1s - many.r1s);
});

test("forged NOTIFY without an association: HOST_ID must hash to the sender HIT, else dropped", () => {
  const b = host(41);
  const victim = HostIdentity.generate(new SeededRng(42), "P-256");
  const attacker = HostIdentity.generate(new SeededRng(43), "P-256");
  const notify = (sender: Uint8Array) =>
    signedBy(attacker, {
      packetType: 17,
      controls: 0,
      senderHit: sender,
      receiverHit: b.hit,
      params: [
        { kind: "HOST_ID", algorithm: attacker.algorithm, hostIdentity: attacker.hostId, diType: 0, domainIdentifier: new Uint8Array(0) },
        { kind: "NOTIFICATION", notifyType: 42, data: new Uint8Array(0) },
      ],
    });
  const events = () => {
    const out = [];
    for (let e = b.pollEvent(); e; e = b.pollEvent()) if (e.type === "notify") out.push(e);
    return out;
  };
  b.handleDatagram(0, notify(victim.hit), L("198.51.100.9"), L("192.0.2.2"));
  assert.deepEqual(events(), [], "a NOTIFY in the victim's name with the attacker's key is not delivered");
  assert.equal(b.counters["drop.hit_mismatch"], 1);
  b.handleDatagram(1, notify(attacker.hit), L("198.51.100.9"), L("192.0.2.2"));
  const ok = events();
  assert.equal(ok.length, 1, "the attacker's own NOTIFY verifies");
  assert.equal(ok[0].verified, true);
});

test("AC probe budget is per IP address: an REA listing one victim IP on many ports gets one budget", () => {
  const victimIp = "192.0.2.66";
  const budget = { maxProbes: 3, maxBytes: 300, windowMs: 60_000 };
  const { sim, a, b } = pair(23, ML("10.0.0.1"), ML("10.0.0.2"), { budget });
  sim.at(1000, () => {
    // Malicious (authenticated) B lists the victim's IP with 12 ports on a new interface.
    for (let port = 1; port <= 12; port++) b.stack.local!.addAddress(2, ML(victimIp, 20000 + port), sim.now, { preferred: true });
  });
  for (let i = 1; i < 6; i++) sim.at(1000 + i * 700, () => b.stack.local!.setUp(2, i % 2 === 0));
  sim.runUntil(6000);
  const toVictim = sim.trace.filter((e) => e.kind === "sent" && e.to.ip === victimIp);
  const bytes = toVictim.reduce((n, e) => n + (e.data?.length ?? 0), 0);
  assert.ok(toVictim.every((e) => isHip(e.data)), "only AC probes, never data");
  assert.ok(toVictim.length >= 1, "the victim was probed at all");
  assert.ok(toVictim.length <= budget.maxProbes, `probes to the victim IP: ${toVictim.length}`);
  assert.ok(bytes <= budget.maxBytes, `bytes to the victim IP: ${bytes}`);
  assert.ok((a.session(b).counters.probesSuppressed ?? 0) > 0);
});

test("extension packets (REA) and UPDATE get the critical / duplicate parameter checks before any handler", () => {
  const { a, b } = associated(51, 52);
  const seen: number[] = [];
  b.h.registerExtension({
    packetTypes: [6, 9, 16],
    handle(_now, pkt) {
      seen.push(pkt.packetType);
      return true;
    },
  });
  const sigs = countSignatures(b.h.identity);
  const send = (type: number, params: Param[]) => b.h.handleDatagram(1, emitPacket({ packetType: type, controls: 0, senderHit: a.h.hit, receiverHit: b.h.hit, params }), a.loc, b.loc);
  send(6, [UNKNOWN_CRITICAL, { kind: "HMAC", hmac: new Uint8Array(20) }]);
  send(16, [{ kind: "SEQ", updateId: 1 }, UNKNOWN_CRITICAL, GARBAGE_MAC]);
  const ac = { kind: "AC_INFO", acId: 1, reaId: 1, rttTimestamp: 0 } as Param;
  send(9, [ac, ac, { kind: "HMAC", hmac: new Uint8Array(20) }]);
  assert.deepEqual(seen, [], "no handler saw them");
  assert.equal(b.h.counters["drop.unknown_critical"], 2);
  assert.equal(b.h.counters["drop.malformed"], 1);
  assert.equal(sigs.n, 0);
  assert.deepEqual(drain(b.h), []);
});

test("AC probe budget host-wide: per IP across associations and a global cap over all addresses", async () => {
  const { ProbeBudget } = await import("../../src/mobility/budget.ts");
  const host = new ProbeBudget({ maxProbes: 4, maxBytes: 10_000, windowMs: 60_000, global: { maxProbes: 10, maxBytes: 10_000 } });
  // Two associations (sessions) with their own per-IP budget of 3, sharing the host-wide one.
  const s1 = new ProbeBudget({ maxProbes: 3, maxBytes: 10_000, windowMs: 60_000 }, host);
  const s2 = new ProbeBudget({ maxProbes: 3, maxBytes: 10_000, windowMs: 60_000 }, host);
  let toVictim = 0;
  for (let i = 0; i < 10; i++) for (const s of [s1, s2]) if (s.charge(L("192.0.2.66", 1000 + i), 80, i)) toVictim++;
  assert.equal(toVictim, 4, "one victim IP gets the host-wide per-IP budget, not 2 × 3 per port");
  let total = toVictim;
  for (let i = 0; i < 50; i++) if (s1.charge(L(`198.18.${i}.1`), 80, 100 + i)) total++;
  assert.equal(total, 10, "global cap over all addresses");
});
