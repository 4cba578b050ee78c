// Key and nonce reuse (issue 9 item 1) on the real stack (HostStack + WASM ESP) in the
// simulator, watching every SA installed and every ESP packet sealed (observe.ts):
// - an authenticated REA naming the base-exchange SA's KEYMAT index is refused, never installed;
// - an UPDATE rekey and a per-interface SA drawn at the same moment by honest peers never give
//   two SAs the same key and salt;
// - every SA gets its own IV seed.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Locator } from "../../src/core/types.ts";
import type { Association } from "../../src/hip/association.ts";
import { hipCipherKeyLen } from "../../src/hip/suites.ts";
import type { LabHost } from "../../src/lab/host.ts";
import { mobilityContext } from "../../src/mobility/codec.ts";
import { codecKeys } from "../../src/mobility/extension.ts";
import { L, pair } from "../mobility/util.ts";
import { KeyObserver } from "./observe.ts";

export function assoc(x: LabHost, peer: LabHost): Association {
  const a = x.stack.host.association(peer.hit);
  if (!a) throw new Error("no association");
  return a;
}

/** KEYMAT index of the base-exchange SA pair: right after the four HIP keys (RFC 7401 §6.5). */
export function baseIndex(a: Association): number {
  return 2 * ((hipCipherKeyLen(a.hipCipher) ?? 0) + a.rhash.outputLen);
}

/**
 * An REA built by `x` (authenticated: its own HMAC key and signature) announcing interface
 * `ifId` with `addr`, New SPI `spi` and Keymaterial index `index` (a hostile peer's choice).
 */
export function forgedRea(x: LabHost, peer: LabHost, ifId: number, addr: Locator, spi: number, index: number, from: Locator, to: Locator): Uint8Array {
  const a = assoc(x, peer);
  const last = (peer.session(x) as unknown as { lastPeerReaId?: number }).lastPeerReaId ?? 0;
  const ctx = mobilityContext({ ...codecKeys(a, () => ({ inbound: a.spiIn, outbound: a.spiOut })), framed: true, checksum: true });
  const info = { interfaceId: ifId, currentSpiReverse: a.spiOut, currentSpi: a.spiIn, newSpi: spi, keymatIndex: index, reaId: (last + 100) & 0xffff, addresses: [{ locator: addr, lifetime: 0xffffffff, preferred: true }] };
  return ctx.seal({ type: "REA", infos: [info] }, from, to);
}

test("an REA naming the base-exchange SA's KEYMAT index is refused: no second SA with that key and salt", () => {
  const a1 = L("10.0.0.1");
  const b1 = L("10.0.0.2");
  const { sim, a, b } = pair(91, a1, b1);
  const obs = new KeyObserver();
  obs.attach("A", a.stack);
  obs.attach("B", b.stack);
  b.startFlow(a, 100, 3000, 5);
  sim.runUntil(800);
  const before = a.delivered.length;
  // A (authenticated, hostile) names the index of the base-exchange pair for a new SPI.
  const rea = forgedRea(a, b, 9, a1, 0x7777, baseIndex(assoc(a, b)), a1, b1);
  sim.inject(a1, b1, rea);
  sim.runUntil(3000);
  assert.deepEqual(obs.repeatedKeys, [], "an SA with the base-exchange SA's key and salt was installed again");
  assert.deepEqual(obs.repeatedIvs, []);
  assert.ok(obs.installs.every((i) => i.spi !== 0x7777), "nothing installed for the hostile SPI");
  assert.equal(b.stack.host.counters["drop.keymat_reused"], 1);
  assert.ok(a.delivered.length - before > 300, "B's data keeps flowing on the base SA");
});

test("UPDATE rekey and a per-interface SA drawn concurrently by honest peers never share a key", () => {
  const a1 = L("10.0.0.1");
  const a2 = L("10.8.0.1");
  const b1 = L("10.0.0.2");
  const { sim, a, b } = pair(92, a1, b1);
  const obs = new KeyObserver();
  obs.attach("A", a.stack);
  obs.attach("B", b.stack);
  a.startFlow(b, 100, 4000, 5);
  b.startFlow(a, 100, 4000, 5);
  // One completed rekey first: both hosts keep UPDATE state from it.
  sim.at(300, () => {
    b.stack.rekey(sim.now, a.hit);
    sim.kick();
  });
  sim.runUntil(1000);
  assert.equal(b.stack.update.counters["rekey.done"], 1);
  // Same instant: A gives a new interface its own inbound SA (an FA-style SPI range, §4.5),
  // announced in an REA; B starts another UPDATE rekey. Both draw from the same KEYMAT index.
  sim.at(1200, () => {
    a.stack.local!.addInterface(2, 0);
    a.stack.local!.addAddress(2, a2, sim.now);
    sim.addAddress("A", a2);
    a.stack.mobility!.setSpiRange(2, { min: 0x20000, max: 0x2ffff });
    b.stack.rekey(sim.now, a.hit);
    sim.kick();
  });
  sim.runUntil(4000);
  assert.ok(obs.installs.some((i) => i.host === "A" && i.direction === "in" && i.spi >= 0x20000 && i.spi <= 0x2ffff), "A drew its per-interface SA");
  assert.deepEqual(obs.repeatedKeys, [], "two SAs with one key and salt");
  assert.deepEqual(obs.repeatedIvs, []);
  const late = (x: LabHost) => x.delivered.filter((d) => d.t > 3000).length;
  assert.ok(late(a) > 100 && late(b) > 100, `data keeps flowing both ways (${late(a)}, ${late(b)})`);
});

test("every SA gets its own IV seed from the host's Rng", () => {
  const { sim, a, b } = pair(93, L("10.0.0.1"), L("10.0.0.2"));
  const seeds: Uint8Array[] = [];
  for (const x of [a, b]) {
    const dp = x.stack.dataPlane!;
    const install = dp.installSa.bind(dp);
    dp.installSa = (p) => {
      if (p.direction === "out") seeds.push(p.ivSeed ?? new Uint8Array(0));
      return install(p);
    };
  }
  sim.at(300, () => {
    a.stack.rekey(sim.now, b.hit);
    sim.kick();
  });
  sim.runUntil(1500);
  assert.ok(seeds.length >= 4);
  const distinct = new Set(seeds.map((s) => Buffer.from(s).toString("hex")));
  assert.equal(distinct.size, seeds.length, "one seed per SA");
  assert.ok(seeds.every((s) => s.length === 16 && s.some((x) => x !== 0)));
  const seeded = (x: LabHost) => x.stack.saGuard?.counters["sa.iv_seeded"] ?? 0;
  assert.equal(seeded(a) + seeded(b), seeds.length);
});
