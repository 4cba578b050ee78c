// Floods that buy public-key work (docs/PROTOCOL.md §7.9): each packet is cheap to send and costs
// the receiver a Diffie-Hellman or a signature verification before anything can fail.
//
// I2 (RFC 7401 §4.1.1): #I = RHASH(S | HIT-I | HIT-R) holds for a whole R1 generation, so one R1
// lets an attacker send I2 after I2, each with a fresh #J solved at the R1's #K (256 hashes at #K 8),
// and each costs the Responder a Diffie-Hellman (the HIP_MAC and the signature come after it).
// Measured on @noble: 5.4 ms of the Responder's CPU per such I2 against 1.0 ms for the attacker.
// Bounded by a budget of I2s that reach the Diffie-Hellman per source prefix and in all; beyond
// the global one the puzzle gets harder and only I2s that solved today's puzzle go on.
//
// NOTIFY (§5.3.6): a 200-byte NOTIFY with a HOST_ID whose HIT is the sender's (or the HIT of a peer
// we hold an association with) and a broken signature cost 6.5 ms with @noble (two verifications:
// SHA-384, then SHA-256 for a P-256 key), 0.17 ms on node:crypto, with no limit at all.
import assert from "node:assert/strict";
import { test } from "node:test";
import { SeededRng } from "../../src/core/rng.ts";
import type { Locator } from "../../src/core/types.ts";
import { HipHost } from "../../src/hip/host.ts";
import { HostIdentity } from "../../src/hip/identity.ts";
import { resolveLimits } from "../../src/hip/limits.ts";
import { solvePuzzle } from "../../src/hip/puzzle.ts";
import { LOAD_COOL_MS } from "../../src/hip/r1.ts";
import type { HipHostConfig } from "../../src/hip/types.ts";
import { HIP_HEADER_LEN, ParamType } from "../../src/wire/constants.ts";
import { tlvIndex } from "../../src/wire/tlv.ts";
import { emitPacket } from "../../src/wire/packet.ts";
import { authenticate } from "../../src/hip/auth.ts";
import { sha384 } from "@noble/hashes/sha2.js";
import { eventsOf, Net, type Node } from "../hip/net.ts";

/** Count the Diffie-Hellman computations `h` asks for (the real ones run): the work the flood buys. */
function countEcdh(h: HipHost): { ecdh: number } {
  const calls = { ecdh: 0 };
  const request = h.crypto.request.bind(h.crypto);
  h.crypto.request = ((now, op, resume) => {
    if (op.op === "ecdh") calls.ecdh++;
    return request(now, op, resume);
  }) as typeof h.crypto.request;
  return calls;
}

interface Flood {
  net: Net;
  res: Node;
  calls: { ecdh: number };
  /** One I2 with a fresh #J at the captured R1's #K, from `from`. */
  i2(from: Locator): void;
}

/** A responder (its Diffie-Hellmans counted), one legitimate exchange whose I2 the attacker captured. */
function world(limits: HipHostConfig["limits"]): Flood {
  const net = new Net();
  const iniId = HostIdentity.generate(new SeededRng(1), "P-256");
  const ini = net.add(2, "10.0.0.1", {}, iniId);
  const res = net.add(3, "10.0.0.2", { limits }, HostIdentity.generate(new SeededRng(4), "P-256"));
  const calls = countEcdh(res.host);
  let captured: Uint8Array | undefined;
  net.tamper = (_p, hip) => {
    if ((hip[2] & 0x7f) === 3) captured ??= hip.slice();
    return hip;
  };
  ini.host.connect(0, res.loc, res.host.hit, ini.loc);
  net.run(1000);
  assert.equal(eventsOf(ini, "established").length, 1);
  net.tamper = undefined;
  const i2 = captured as Uint8Array;
  const idx = tlvIndex(i2, HIP_HEADER_LEN);
  assert.ok(idx);
  const sol = idx.valueOffset(idx.find(ParamType.SOLUTION));
  const k = i2[sol];
  const rhash = res.host.r1.rhash;
  const n = rhash.outputLen;
  const I = i2.slice(sol + 4, sol + 4 + n);
  const rng = new SeededRng(9);
  return {
    net,
    res,
    calls,
    i2: (from) => {
      const J = solvePuzzle(rhash, rng, I, iniId.hit, res.host.hit, k) as Uint8Array;
      const pkt = i2.slice();
      pkt.set(J, sol + 4 + n);
      pkt[4] = 0; // checksum 0: accepted (an attacker need not compute it)
      pkt[5] = 0;
      res.host.handleDatagram(net.now, pkt, from, res.loc);
    },
  };
}

test("I2 flood from one source: beyond its prefix's budget dropped before any Diffie-Hellman", () => {
  const w = world(undefined);
  const before = w.calls.ecdh;
  // 200 I2s over one second from one address (defaults: 20/s, burst 40 per /24).
  for (let i = 0; i < 200; i++) {
    w.i2({ ip: "198.51.100.9", port: 10500 });
    if (i % 20 === 19) w.net.run(w.net.now + 100);
  }
  const work = w.calls.ecdh - before;
  assert.ok(work >= 40 && work <= 62, `Diffie-Hellman per flood I2 bounded by the prefix budget: ${work}`);
  assert.equal(w.res.host.counters["drop.rate_i2"], 200 - work);
  assert.equal(w.res.host.counters["puzzle.raised"] ?? 0, 0, "one source does not make the puzzle harder for everyone");
  assert.equal(w.res.host.stateSizes().puzzleK, 8);
});

test("I2 flood from spoofed sources: the puzzle gets harder, the old #K's I2s stop costing work, a new Initiator still gets in, calm brings #K back", () => {
  const w = world({ i2Global: { ratePerSec: 20, burst: 20 } });
  const { net, res } = w;
  const before = w.calls.ecdh;
  let sent = 0;
  const flood = (ms: number) => {
    for (const end = net.now + ms; net.now < end; ) {
      for (let j = 0; j < 10; j++, sent++) w.i2({ ip: `10.${(sent >> 8) & 0xff}.${sent & 0xff}.9`, port: 10500 });
      net.run(net.now + 10);
    }
  };
  flood(500);
  assert.equal(res.host.counters["puzzle.raised"], 1, "the dry budget raised #K once (at most one step a second)");
  assert.equal(res.host.stateSizes().puzzleK, 12);
  // A new Initiator during the flood gets an R1 at #K 12, solves it, and its I2 goes on although
  // the budget is dry: it paid today's price.
  const late = net.add(7, "10.0.0.7", {});
  late.host.connect(net.now, res.loc, res.host.hit, late.loc);
  flood(1600);
  assert.equal(eventsOf(late, "established").length, 1, "a new Initiator completes during the flood");
  assert.equal(res.host.counters["puzzle.raised"], 2, "a second step a second later");
  assert.equal(res.host.stateSizes().puzzleK, 16);
  const work = w.calls.ecdh - before;
  // Budget 20 + 20/s over 2.1 s, plus the late Initiator's exchange; 2,100 flood I2s were sent.
  assert.ok(work <= 20 + 43 + 1, `Diffie-Hellmans bounded by the global budget: ${work} of ${sent} I2s`);
  assert.ok((res.host.counters["drop.rate_i2"] ?? 0) + (res.host.counters["drop.stale_r1_counter"] ?? 0) >= sent - work);
  // Calm: one step back per 30 s without a dry budget, from the next R1 on.
  net.run(net.now + LOAD_COOL_MS + 10);
  const again = net.add(8, "10.0.0.8", {});
  again.host.connect(net.now, res.loc, res.host.hit, again.loc);
  net.run(net.now + 1000);
  assert.equal(res.host.counters["puzzle.lowered"], 1);
  assert.equal(res.host.stateSizes().puzzleK, 12);
  net.run(net.now + LOAD_COOL_MS + 10);
  res.host.handleTimeout(net.now);
  const third = net.add(9, "10.0.0.9", {});
  third.host.connect(net.now, res.loc, res.host.hit, third.loc);
  net.run(net.now + 1000);
  assert.equal(res.host.stateSizes().puzzleK, 8, "back at puzzleK");
  assert.equal(eventsOf(again, "established").length + eventsOf(third, "established").length, 2);
});

test("limits.maxLoadPuzzleK at or below puzzleK: the flood is still bounded, #K never raised; checked like every limit", () => {
  const w = world({ i2Global: { ratePerSec: 20, burst: 20 }, maxLoadPuzzleK: 0 });
  const before = w.calls.ecdh;
  for (let i = 0; i < 300; i++) {
    w.i2({ ip: `10.1.${i & 0xff}.9`, port: 10500 });
    if (i % 30 === 29) w.net.run(w.net.now + 100);
  }
  assert.ok(w.calls.ecdh - before <= 20 + 21, `bounded: ${w.calls.ecdh - before}`);
  assert.equal(w.res.host.counters["puzzle.raised"] ?? 0, 0);
  assert.equal(w.res.host.stateSizes().puzzleK, 8);
  assert.throws(() => resolveLimits({ maxLoadPuzzleK: 41 }), /maxLoadPuzzleK: 41/);
  assert.throws(() => resolveLimits({ i2Global: { ratePerSec: Number.NaN, burst: 1 } }), /i2Global.ratePerSec/);
  assert.throws(() => new HipHost({ identity: HostIdentity.generate(new SeededRng(5), "P-256"), rng: new SeededRng(6), limits: { maxLoadPuzzleK: -1 } }), /maxLoadPuzzleK/);
});

/** A NOTIFY from `id` to `to` (signed by `id`; `broken`: one signature bit flipped), with its HOST_ID. */
function notify(id: HostIdentity, to: Uint8Array, broken: boolean): Uint8Array {
  const pkt = authenticate(
    {
      packetType: 17,
      controls: 0,
      senderHit: id.hit,
      receiverHit: to,
      params: [
        { kind: "HOST_ID", algorithm: id.algorithm, hostIdentity: id.hostId, diType: 0, domainIdentifier: new Uint8Array(0) },
        { kind: "NOTIFICATION", notifyType: 16384, data: new Uint8Array(0) },
      ],
    },
    { hash: sha384, signer: id },
  );
  const b = emitPacket(pkt);
  if (broken) b[b.length - 5] ^= 1; // inside the HIP_SIGNATURE value (2 bytes of padding follow)
  return b;
}

test("NOTIFY flood with broken signatures: verifications bounded per source prefix and in all; a real NOTIFY after it is still verified", () => {
  const rng = new SeededRng(31);
  const victim = new HipHost({ identity: HostIdentity.generate(rng, "P-256"), rng, checksum: "zero" });
  const attacker = HostIdentity.generate(new SeededRng(32), "P-256");
  const to = { ip: "192.0.2.2", port: 10500 };
  const bad = notify(attacker, victim.hit, true);
  const checks = () => victim.crypto.inline.noble + victim.crypto.inline.native;
  // One source, 200 NOTIFYs over one second (defaults: 5/s, burst 10 per /24).
  for (let i = 0; i < 200; i++) victim.handleDatagram(i * 5, bad, { ip: "198.51.100.9", port: 10500 }, to);
  assert.ok(checks() >= 10 && checks() <= 16, `one source: ${checks()} verifications`);
  // Spoofed sources, 600 over one more second (50/s, burst 100 in all).
  const before = checks();
  for (let i = 0; i < 600; i++) victim.handleDatagram(1000 + Math.floor(i * 1.66), bad, { ip: `10.${i >> 8}.${i & 0xff}.9`, port: 10500 }, to);
  assert.ok(checks() - before <= 100 + 51, `spoofed sources: ${checks() - before} verifications`);
  assert.equal(victim.counters["drop.rate_notify"], 800 - checks());
  assert.equal(victim.counters["drop.bad_signature"], checks());
  // Calm: a NOTIFY with a good signature is verified and reported.
  victim.handleDatagram(5000, notify(attacker, victim.hit, false), { ip: "203.0.113.5", port: 10500 }, to);
  const events = [];
  for (let e = victim.pollEvent(); e; e = victim.pollEvent()) if (e.type === "notify") events.push(e);
  assert.equal(events.length, 1);
  assert.equal(events[0].verified, true);
  assert.ok(victim.stateSizes().notifyInBuckets <= resolveLimits().maxRateEntries);
});
