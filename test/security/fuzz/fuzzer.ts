// The stateful fuzzer: drives a World (world.ts) and feeds it one hostile datagram per step —
// replayed, reordered (replayed later), mutated and forged datagrams from a third party with
// spoofed sources, and hostile but authentic packets from the malicious peer M (hostile.ts) —
// then checks every invariant (issue 9 item 11):
// - throw:              nothing escapes any entry point of any host or the FA (host.ts guard)
// - key-reuse, iv-reuse: no SA (key, salt) installed twice, no (key, IV) sealed twice (observer.ts)
// - data-to-unverified: honest hosts send ESP only to addresses the peer proved (host.ts)
// - bounds:             state sizes within the configured limits (bounds.ts)
// - honest-stalled:     A→B and B→A datagrams keep arriving (checked every `windowMs`)
// - association-replaced: the honest pair's association is never rebuilt behind their backs
// Deterministic: a violation is reported with the seed and the packet index; the same seed
// replays it. A new World is built every `epoch` packets (seeded from seed and epoch).
import { SeededRng } from "../../../src/core/rng.ts";
import type { Locator } from "../../../src/core/types.ts";
import { hitKey } from "../../../src/hip/hit.ts";
import { checkBounds, checkFaBounds, hostLimits, type Limits } from "./bounds.ts";
import type { FuzzHost } from "./host.ts";
import { type Datagram, Hostile } from "./hostile.ts";
import { forgeCritical, forgeEsp, forgeHip, forgeRelay, int, mutateBytes, padEchoUnsigned, pick, swapHits } from "./mutate.ts";
import { ADDR, type Captured, L, World } from "./world.ts";

export interface Violation {
  seed: number;
  index: number;
  kind: string;
  detail: string;
  /** What the last injected datagram was. */
  what: string;
}

export interface FuzzOptions {
  seed: number;
  /** Packets per world before a fresh one is built (default 250 000). */
  epoch?: number;
  /** Virtual time between two injected packets (default 0.25 ms). */
  dtMs?: number;
  /** Honest progress window (virtual ms, default 2000). */
  windowMs?: number;
  limits?: Record<string, unknown>;
  /** Stop keeping violations after this many (default 1000); all are counted. */
  keep?: number;
  onViolation?: (v: Violation) => void;
}

const SPOOF: Locator[] = [L("192.0.2.1"), L("192.0.2.2", 4500), L("203.0.113.7"), L("2001:db8::bad"), ADDR.a1, ADDR.a2, ADDR.b, ADDR.m, ADDR.fa, L("10.0.2.2", 10501)];

export class StatefulFuzzer {
  readonly violations: Violation[] = [];
  readonly counts: Record<string, number> = {};
  readonly actions: Record<string, number> = {};
  packets = 0;
  worlds = 0;
  private w!: World;
  private hostile!: Hostile;
  private r!: SeededRng;
  private limits!: Limits;
  limitSource = "fallback";
  private lastWindow = 0;
  private over = new Set<string>();
  private establishedSeen = -1;
  private lastRx = [0, 0];
  private what = "";
  private readonly epoch: number;
  private readonly dt: number;
  private readonly windowMs: number;
  /** R1s to honest hosts seen on the wire, to be padded and raced (issue 9 "throw on padded R1"). */
  private pendingR1: Captured[] = [];

  constructor(readonly o: FuzzOptions) {
    this.epoch = o.epoch ?? 250_000;
    this.dt = o.dtMs ?? 0.25;
    this.windowMs = o.windowMs ?? 2000;
  }

  get world(): World {
    return this.w;
  }

  /** Run `n` more packets. */
  run(n: number): void {
    for (let k = 0; k < n; k++) this.step();
  }

  step(): void {
    const i = this.packets;
    if (i % this.epoch === 0) this.newWorld(i / this.epoch);
    const w = this.w;
    const d = this.next();
    this.what = d ? d.what : "none";
    this.actions[this.what.split("(")[0]] = (this.actions[this.what.split("(")[0]] ?? 0) + 1;
    if (d) w.sim.inject(d.from, d.to, d.data);
    const e0 = w.sim.stats.events;
    const r = w.sim.runUntil(w.sim.now + this.dt, 20_000);
    if (r.reason === "limit") this.report(i, "storm", `more than 20000 simulator events within ${this.dt} ms of virtual time (${w.sim.stats.events - e0})`);
    this.packets++;
    this.check(i);
  }

  private newWorld(epoch: number): void {
    const seed = (Math.imul(this.o.seed >>> 0, 0x9e3779b1) + Math.imul(epoch + 1, 0x85ebca6b)) >>> 0;
    this.w = new World({ seed, limits: this.o.limits });
    this.worlds++;
    this.hostile = new Hostile(this.w);
    this.r = new SeededRng(seed ^ 0xf022);
    const l = hostLimits(this.w.a, this.w.fa);
    this.limits = l.limits;
    this.limitSource = l.source;
    for (const bad of this.w.ready()) this.report(this.packets, "setup", bad);
    this.lastWindow = this.w.sim.now;
    this.over = new Set();
    this.lastRx = [this.w.a.receivedFrom(this.w.b.hit), this.w.b.receivedFrom(this.w.a.hit)];
    for (const c of [this.w.a, this.w.b]) {
      const prev = c.tap;
      c.tap = (tx, from) => {
        prev?.(tx, from);
        const d = tx.data;
        if (d.length > 8 && (d[0] | d[1] | d[2] | d[3]) === 0 && d[6] === 2) this.pendingR1.push({ from, to: tx.to, data: d, node: "" });
      };
    }
    const mtap = this.w.m.tap;
    this.w.m.tap = (tx, from) => {
      mtap?.(tx, from);
      const d = tx.data;
      if (d.length > 8 && (d[0] | d[1] | d[2] | d[3]) === 0 && d[6] === 2 && (tx.to.ip === ADDR.a1.ip || tx.to.ip === ADDR.b.ip)) this.pendingR1.push({ from, to: tx.to, data: d, node: "M" });
    };
  }

  /** One hostile datagram (or none, e.g. when M has no association right now). */
  private next(): Datagram | undefined {
    const { w, r } = this;
    if (this.pendingR1.length) {
      const c = this.pendingR1.shift() as Captured;
      return { from: c.from, to: c.to, data: padEchoUnsigned(c.data, 1200 + int(r, 800)), what: "R1+ECHO_REQUEST_UNSIGNED" };
    }
    const ring = w.ring;
    const c = pick(r, ring);
    const honest = pick(r, [w.a, w.b]);
    const other = honest === w.a ? w.b : w.a;
    const x = int(r, 10_000);
    if (x < 2200) return { from: c.from, to: c.to, data: c.data, what: "replay" };
    if (x < 3200) return { from: pick(r, SPOOF), to: int(r, 2) ? c.to : pick(r, [ADDR.a1, ADDR.b, ADDR.fa]), data: c.data, what: "replay-spoofed" };
    if (x < 6200) {
      const base = int(r, 3) === 0 ? swapHits(c.data, pick(r, [w.a.hit, w.b.hit, w.m.hit, undefined]), pick(r, [w.a.hit, w.b.hit, undefined])) : c.data;
      return { from: int(r, 2) ? c.from : pick(r, SPOOF), to: c.to, data: mutateBytes(r, base, pick(r, ring).data), what: "mutate" };
    }
    if (x < 7200) return { from: pick(r, SPOOF), to: pick(r, [ADDR.a1, ADDR.a2, ADDR.b]), data: forgeHip(r, pick(r, [other.hit, w.m.hit, r.fill(new Uint8Array(16))]), honest.hit), what: "forge-hip" };
    if (x < 7350) return { from: pick(r, SPOOF), to: pick(r, [ADDR.a1, ADDR.b]), data: forgeCritical(r, pick(r, [1, 3, 4, 16, 17, 18, 19, 6, 9, 10]), pick(r, [other.hit, w.m.hit]), honest.hit), what: "forge-critical" };
    if (x < 8300) {
      const spis = [...honest.dp.live.values()].filter((s) => s.direction === "in").map((s) => s.spi);
      return { from: pick(r, SPOOF), to: pick(r, [ADDR.a1, ADDR.b]), data: forgeEsp(r, spis.length ? pick(r, spis) : r.nextU32()), what: "forge-esp" };
    }
    if (x < 8600) return { from: pick(r, SPOOF), to: pick(r, [ADDR.fa, ADDR.b]), data: forgeRelay(r, pick(r, SPOOF), pick(r, [ADDR.a1, ADDR.b, ADDR.m, L("127.0.0.1"), L("192.0.2.99")]), c.data), what: "forge-relay" };
    if (x < 8620) return { from: pick(r, SPOOF), to: ADDR.fa, data: pick(r, w.faqs), what: "faq-flood" };
    if (x < 9000) return { from: pick(r, SPOOF), to: pick(r, [ADDR.a1, ADDR.b, ADDR.fa]), data: r.fill(new Uint8Array(int(r, 64))), what: "garbage" };
    // The authenticated malicious peer.
    const to = honest === w.a ? ADDR.a1 : ADDR.b;
    if (x < 9650) return this.hostile.ac(r, honest, to, int(r, 3) === 0);
    if (x < 9680) return this.hostile.rea(r, honest, to);
    if (x < 9700) return this.hostile.update(r, honest, to);
    if (x < 9710) return this.hostile.notify(r, honest, to);
    if (x < 9712) {
      // CLOSE, then a new base exchange (M as Initiator); sometimes A initiates it (A's R1 races a padded copy).
      const now = w.sim.now;
      if (int(r, 2) === 0) {
        w.m.stack.close(now, honest.hit);
        w.sim.at(now + 100, () => w.m.stack.connect(w.sim.now, to, honest.hit, ADDR.m));
      } else {
        w.a.stack.close(now, w.m.hit);
        w.sim.at(now + 100, () => w.a.stack.connect(w.sim.now, ADDR.m, w.m.hit, ADDR.a1));
      }
      w.sim.kick();
      return undefined;
    }
    return { from: c.from, to: c.to, data: c.data, what: "replay" };
  }

  private check(i: number): void {
    const w = this.w;
    for (const h of w.hosts) {
      if (h.violations.length) {
        for (const v of h.violations) if (h.honest || v.kind === "throw") this.report(i, v.kind, v.detail);
        h.violations.length = 0;
      }
      if (h.dp.events.length) {
        if (h.honest) for (const e of h.dp.events) this.report(i, e.kind, e.detail);
        h.dp.events.length = 0;
      }
    }
    for (const v of w.faNode.violations) this.report(i, v.kind, v.detail);
    w.faNode.violations.length = 0;
    // A table over its limit is reported when it gets there, not again while it stays there.
    const over = new Set<string>();
    for (const b of [...checkBounds(w.a, this.limits), ...checkBounds(w.b, this.limits), ...checkFaBounds(w.fa, this.limits)]) {
      const k = b.replace(/\d+ (?=[a-zA-Z -]+>)/, "");
      over.add(k);
      if (!this.over.has(k)) this.report(i, "bounds", b);
    }
    this.over = over;
    if (w.a.establishedEvents + w.b.establishedEvents !== this.establishedSeen) {
      this.checkPair(i, w.a, w.b);
      this.establishedSeen = w.a.establishedEvents + w.b.establishedEvents;
    }
    if (w.sim.now - this.lastWindow >= this.windowMs) {
      const rx = [w.a.receivedFrom(w.b.hit), w.b.receivedFrom(w.a.hit)];
      if (rx[0] === this.lastRx[0]) this.report(i, "honest-stalled", `B→A delivered nothing in ${this.windowMs} ms (t=${w.sim.now.toFixed(0)})`);
      if (rx[1] === this.lastRx[1]) this.report(i, "honest-stalled", `A→B delivered nothing in ${this.windowMs} ms (t=${w.sim.now.toFixed(0)})`);
      this.lastRx = rx;
      this.lastWindow = w.sim.now;
    }
  }

  private checkPair(i: number, a: FuzzHost, b: FuzzHost): void {
    for (const [x, y] of [[a, b], [b, a]]) {
      const k = hitKey(y.hit);
      const n = x.established.get(k) ?? 0;
      if (n > 1) {
        this.report(i, "association-replaced", `${x.name}: association with ${y.name} ESTABLISHED again (${n}x) though neither side restarted`);
        x.established.set(k, 1);
      }
    }
  }

  private report(index: number, kind: string, detail: string): void {
    this.counts[kind] = (this.counts[kind] ?? 0) + 1;
    const v: Violation = { seed: this.o.seed, index, kind, detail, what: this.what };
    if (this.violations.length < (this.o.keep ?? 1000)) this.violations.push(v);
    this.o.onViolation?.(v);
  }
}
