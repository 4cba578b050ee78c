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
import { SeededRng } from "../../src/core/rng.ts";
import { HostIdentity } from "../../src/hip/identity.ts";
import { LabHost } from "../../src/lab/host.ts";
import { Simulator } from "../../src/sim/index.ts";
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

// ---- property: random schedules of UPDATE rekeys, honest and hostile REAs, both roles ----------

type Pick = "base" | "last" | "overlap" | "fresh" | "below" | "gap" | "beyond";
interface Step {
  dt: number;
  who: "A" | "B";
  kind: "rekey" | "own" | "unown" | "hostile";
  pick: Pick;
  r: number;
}

/** The KEYMAT index a hostile peer names, from what its own association drew so far. */
function hostileIndex(a: Association, pick: Pick, r: number): number {
  const len = 2 * (20 + 0); // AES-GCM-128: 16-byte key + 4-byte salt per direction, no auth key
  const mark = a.keymatIndex;
  switch (pick) {
    case "base":
      return baseIndex(a);
    case "last":
      return Math.max(baseIndex(a), mark - len);
    case "overlap":
      return Math.max(0, mark - 1 - (r % (len - 1)));
    case "fresh":
      return mark;
    case "below":
      return r % Math.max(1, mark);
    case "gap":
      return mark + len * (1 + (r % 4));
    case "beyond":
      return 255 * 48 - len + 1 + (r % 0x10000);
  }
}

// Identities are made once (Ed25519, fast to sign); every schedule runs on fresh hosts with them.
const IDS = [HostIdentity.generate(new SeededRng(1), "Ed25519"), HostIdentity.generate(new SeededRng(2), "Ed25519")];

/** pair() (test/mobility/util.ts) with the identities above, DH group 7 and an easy puzzle. */
function fastPair(seed: number): { sim: Simulator; a: LabHost; b: LabHost } {
  const sim = new Simulator({ seed, link: { latency: 10 } });
  const hip = { dhGroups: [7], puzzleK: 1 };
  const na = new LabHost({ name: "A", rng: sim.forkRng(), addresses: [L("10.0.0.1")], identity: IDS[0], hip, policy: {} });
  const nb = new LabHost({ name: "B", rng: sim.forkRng(), addresses: [L("10.0.0.2")], identity: IDS[1], hip, policy: {} });
  sim.addNode("A", na, [L("10.0.0.1")]);
  sim.addNode("B", nb, [L("10.0.0.2")]);
  sim.at(0, () => na.stack.connect(sim.now, L("10.0.0.2"), nb.hit, L("10.0.0.1")));
  return { sim, a: na, b: nb };
}

/** What the schedules exercised (refusals by reason, rekeys done, per-interface SAs installed). */
const coverage: Record<string, number> = {};

/** One schedule on a fresh pair of hosts; returns the observer. */
function runSchedule(seed: number, steps: Step[]): KeyObserver {
  const { sim, a, b } = fastPair(seed);
  const obs = new KeyObserver();
  obs.attach("A", a.stack);
  obs.attach("B", b.stack);
  const hosts = { A: a, B: b };
  // A hostile host announces chosen (SPI, KEYMAT index) pairs for some interfaces: the attacker
  // runs modified code, the REA is authenticated as usual (its REA IDs stay in sequence).
  const hostile = { A: new Map<number, { spi: number; index: number }>(), B: new Map<number, { spi: number; index: number }>() };
  for (const [name, x] of Object.entries(hosts) as ["A" | "B", LabHost][]) {
    const ext = x.stack.mobility as unknown as { spisFor: (bound: unknown, id?: number) => { inbound: number; outbound: number; keymatIndex?: number } };
    const orig = ext.spisFor.bind(ext);
    ext.spisFor = (bound, id) => {
      const h = id === undefined ? undefined : hostile[name].get(id);
      const r = orig(bound, id);
      return h ? { ...r, inbound: h.spi, keymatIndex: h.index } : r;
    };
  }
  let t = 400;
  let ifSeq = 2;
  for (const s of steps) {
    t += s.dt;
    sim.at(t, () => {
      const x = hosts[s.who];
      const y = s.who === "A" ? b : a;
      const n = ifSeq++;
      const addr = L(`10.${s.who === "A" ? 1 : 2}.${n}.1`);
      if (s.kind === "rekey") x.stack.rekey(sim.now, y.hit);
      else if (s.kind === "unown") {
        for (const id of x.stack.local!.interfaces.keys()) if (id > 1 && !hostile[s.who].has(id)) x.stack.mobility!.setSpiRange(id, undefined);
      } else {
        x.stack.local!.addInterface(n, 0);
        x.stack.local!.addAddress(n, addr, sim.now);
        sim.addAddress(s.who, addr);
        if (s.kind === "own") x.stack.mobility!.setSpiRange(n, { min: 0x10000 * n, max: 0x10000 * n + 0xffff });
        else hostile[s.who].set(n, { spi: 0x7000_0000 + n, index: hostileIndex(assoc(x, y), s.pick, s.r) });
      }
      sim.kick();
    });
  }
  a.startFlow(b, 300, t + 600, 10);
  b.startFlow(a, 300, t + 600, 10);
  sim.runUntil(t + 1000);
  for (const x of [a, b]) {
    for (const [k, v] of Object.entries(x.stack.host.counters)) if (k.startsWith("drop.keymat") || k === "drop.bad_keymat_index") coverage[k] = (coverage[k] ?? 0) + v;
    for (const [k, v] of Object.entries(x.stack.update.counters)) if (k === "rekey.done" || k.startsWith("rekey.drop")) coverage[k] = (coverage[k] ?? 0) + v;
  }
  coverage.peerSas = (coverage.peerSas ?? 0) + obs.installs.filter((i) => i.direction === "out" && i.spi >= 0x20000 && i.spi < 0x100_0000).length;
  coverage.hostileSas = (coverage.hostileSas ?? 0) + obs.installs.filter((i) => i.direction === "out" && i.spi >= 0x7000_0000 && i.spi < 0x7000_1000).length;
  return obs;
}

test("property: no (key, salt) and no (key, IV) pair repeats over random schedules of rekeys and honest/hostile REAs", async () => {
  const fc = await import("fast-check");
  const runs = Number(process.env.KEYS_SCHEDULES ?? 1000);
  const step = fc.record({
    dt: fc.integer({ min: 0, max: 300 }),
    who: fc.constantFrom("A" as const, "B" as const),
    kind: fc.constantFrom("rekey" as const, "own" as const, "unown" as const, "hostile" as const),
    pick: fc.constantFrom<Pick>("base", "last", "overlap", "fresh", "below", "gap", "beyond"),
    r: fc.nat(),
  });
  let sealed = 0;
  let installs = 0;
  let done = 0;
  fc.assert(
    fc.property(fc.nat(), fc.array(step, { minLength: 1, maxLength: 8 }), (seed, steps) => {
      const obs = runSchedule(seed, steps);
      done++;
      sealed += obs.sealed;
      installs += obs.installs.length;
      assert.deepEqual(obs.repeatedKeys, [], "an SA key and salt installed twice");
      assert.deepEqual(obs.repeatedIvs, [], "a (key, IV) pair sealed twice");
    }),
    // Bounded in time as well as count (a loaded machine): the runs done are printed below.
    { numRuns: runs, seed: Number(process.env.KEYS_SEED ?? 9009), interruptAfterTimeLimit: Number(process.env.KEYS_TIME_LIMIT_MS ?? 240_000), markInterruptAsFailure: false },
  );
  console.log(`key schedules: ${done} of ${runs} runs, ${installs} SAs, ${sealed} packets sealed, ${JSON.stringify(coverage)}`);
  assert.ok(done >= 1 && installs > done * 4 && sealed > done * 50, `coverage: ${installs} SAs, ${sealed} packets`);
});

test("KEYMAT allocator: local draws and peer-named indices are monotonic; reuse, overlap, below and beyond KEYMAT are refused", async () => {
  const { KeymatAllocator } = await import("../../src/hip/keymat-alloc.ts");
  const k = new KeymatAllocator(160, 255 * 48);
  assert.equal(k.draw(40), 160);
  assert.equal(k.claim(200, 40), undefined, "the peer's fresh index");
  assert.equal(k.drawn, 240);
  assert.equal(k.claim(160, 40), "keymat_reused");
  assert.equal(k.claim(230, 40), "keymat_overlap");
  assert.equal(k.claim(0, 40), "keymat_below");
  assert.equal(k.claim(255 * 48 - 39, 40), "keymat_exhausted");
  assert.equal(k.claim(0x10000, 40), "keymat_exhausted");
  assert.equal(k.claim(400, 40), undefined, "a gap is skipped for good");
  assert.equal(k.claim(300, 40), "keymat_below");
  assert.equal(k.draw(40), 440);
  assert.deepEqual(k.refusals, { keymat_reused: 1, keymat_overlap: 1, keymat_below: 2, keymat_exhausted: 2 });
  assert.deepEqual(
    k.draws().map((d) => [d.index, d.by]),
    [
      [160, "local"],
      [200, "peer"],
      [400, "peer"],
      [440, "local"],
    ],
  );
});

test("secrets: KEYMAT below the drawn mark, Kij, the DH key and PRK are wiped; later draws still work", () => {
  const { sim, a, b } = pair(94, L("10.0.0.1"), L("10.0.0.2"));
  sim.runUntil(500);
  const [x, y] = [assoc(a, b), assoc(b, a)];
  for (const s of [x, y]) {
    assert.ok(s.keymat);
    assert.equal(s.keymat.wipedBelow, s.keymatIndex, "every drawn KEYMAT byte was zero-filled and dropped");
    assert.equal(s.keymat.slice(0, 16), undefined);
    assert.equal(s.ownDh, undefined);
  }
  const mark = x.keymatIndex;
  sim.at(600, () => {
    a.stack.rekey(sim.now, b.hit);
    sim.kick();
  });
  sim.runUntil(1500);
  assert.equal(a.stack.update.counters["rekey.done"], 1, "the HKDF state kept for later draws works");
  assert.ok(x.keymatIndex > mark && x.keymat!.wipedBelow === x.keymatIndex);
  const km = x.keymat!;
  a.stack.host.removeAssociation(x);
  assert.equal(km.slice(km.maxLength - 1, 1), undefined, "destroyed with the association");
});
