// The stateful fuzzer's world in the deterministic simulator: two honest hosts A and B with an
// ESTABLISHED association (base exchange done, REA/AC/ACR rounds done, A multi-homed), B holding a
// lease at a Forwarding Agent (its FA interface announced and verified), honest datagram flows both
// ways, and a malicious host M holding real associations with A and B (its keys sign the hostile
// packets of hostile.ts). Everything is the real code: HostStack, ForwardingAgent, WASM ESP.
import { SeededRng } from "../../../src/core/rng.ts";
import type { Locator, Millis, Transmit } from "../../../src/core/types.ts";
import { ForwardingAgent } from "../../../src/fa/core/agent.ts";
import { faConfig } from "../../../src/fa/core/config.ts";
import { FaEndpoint } from "../../../src/fa/core/endpoint.ts";
import { buildFaq } from "../../../src/fa/core/messages.ts";
import { MemoryLeaseStore } from "../../../src/fa/store/memory.ts";
import { HostIdentity } from "../../../src/hip/identity.ts";
import { frameHip } from "../../../src/wire/framing.ts";
import { Simulator } from "../../../src/sim/simulator.ts";
import type { SimEndpoint } from "../../../src/sim/types.ts";
import { FuzzHost, type HostViolation } from "./host.ts";

export const L = (ip: string, port = 10500): Locator => ({ ip, port });

export const ADDR = {
  a1: L("10.0.1.1"),
  a2: L("10.1.1.1"),
  b: L("10.0.2.2"),
  m: L("10.0.6.6"),
  fa: L("10.50.0.1"),
};

/** A captured datagram (the fuzzer's corpus). */
export interface Captured {
  from: Locator;
  to: Locator;
  data: Uint8Array;
  node: string;
}

/** The FA as a SimEndpoint that catches, and taps its transmits. */
class FaNode implements SimEndpoint {
  readonly ep: FaEndpoint;
  readonly violations: HostViolation[] = [];
  tap: ((tx: Transmit, from: Locator) => void) | undefined;
  constructor(readonly fa: ForwardingAgent) {
    this.ep = new FaEndpoint(fa);
  }
  private guard(where: string, fn: () => void): void {
    try {
      fn();
    } catch (e) {
      const err = e as Error;
      this.violations.push({ kind: "throw", detail: `FA.${where}: ${err?.name}: ${err?.message} @ ${String(err?.stack ?? "").split("\n")[1]?.trim() ?? ""}` });
    }
  }
  handleDatagram(now: Millis, data: Uint8Array, from: Locator, to: Locator): void {
    this.guard("handleDatagram", () => this.ep.handleDatagram(now, data, from, to));
  }
  handleTimeout(now: Millis): void {
    this.guard("handleTimeout", () => this.ep.handleTimeout(now));
  }
  pollTransmit(): Transmit | undefined {
    let t: Transmit | undefined;
    this.guard("pollTransmit", () => {
      t = this.ep.pollTransmit();
    });
    const tx = t as Transmit | undefined;
    if (tx && tx.to.ip === ADDR.fa.ip) {
      // The FA sends to its own address: a forwarding loop (each pass re-forwards). Reported and
      // cut here so the run goes on (issue 9 item 6: own addresses refused as destinations).
      this.violations.push({ kind: "fa-self-loop", detail: `FA: relays ${tx.data.length} bytes to its own locator ${tx.to.ip}:${tx.to.port}` });
      return this.pollTransmit();
    }
    if (tx) this.tap?.(tx, tx.from ?? ADDR.fa);
    return tx;
  }
  pollTimeout(): Millis | undefined {
    return this.ep.pollTimeout();
  }
}

export interface WorldOptions {
  seed: number;
  /** HipHostConfig.limits for every host (issue 9 item 5), when set. */
  limits?: Record<string, unknown>;
  /** Honest flow interval each way (default 4 ms); 0 = no flows (benchmarks). */
  flowEveryMs?: Millis;
}

export class World {
  readonly sim: Simulator;
  readonly a: FuzzHost;
  readonly b: FuzzHost;
  readonly m: FuzzHost;
  readonly fa: ForwardingAgent;
  readonly faNode: FaNode;
  readonly hosts: FuzzHost[];
  /** Throwaway identities (FAQ floods, forged packets with a fresh HIT). */
  readonly strangers: HostIdentity[];
  readonly rng: SeededRng;
  /** FAQs signed by the strangers (valid, new-lease requests): the FAQ flood. */
  readonly faqs: Uint8Array[];
  /** Datagrams seen on the wire (ring). */
  readonly ring: Captured[] = [];
  private ringAt = 0;
  static readonly RING = 1024;

  constructor(readonly o: WorldOptions) {
    const seed = o.seed >>> 0;
    this.rng = new SeededRng(seed ^ 0x51ed);
    this.sim = new Simulator({ seed, link: { latency: 5, jitter: 1, reorder: 0.01, duplicate: 0.005 }, trace: "off" });
    this.fa = new ForwardingAgent({ identity: HostIdentity.generate(new SeededRng(seed + 3)), config: faConfig({ control: [ADDR.fa], shared4: [ADDR.fa], puzzle: "off" }), store: new MemoryLeaseStore(), rng: new SeededRng(seed + 4) });
    this.faNode = new FaNode(this.fa);
    const limits = o.limits;
    this.a = new FuzzHost({ name: "A", seed: seed + 11, addresses: [ADDR.a1], honest: true, limits });
    this.b = new FuzzHost({ name: "B", seed: seed + 12, addresses: [ADDR.b], honest: true, limits, fa: { fas: [{ locator: ADDR.fa }], addrType: 4, spis: 16, from: ADDR.b } });
    this.m = new FuzzHost({ name: "M", seed: seed + 13, addresses: [ADDR.m], honest: false });
    this.hosts = [this.a, this.b, this.m];
    const srng = new SeededRng(seed + 14);
    this.strangers = Array.from({ length: 4 }, () => HostIdentity.generate(srng));
    this.faqs = this.strangers.flatMap((id, k) => [0, 1, 2, 3].map((j) => frameHip(buildFaq(id, this.fa.hit, { requestId: 1 + k * 4 + j, leaseId: 0, lifetime: 0, addrType: j === 3 ? 0 : 4, spis: j === 2 ? 256 : 16 }))));
    const tap = (node: string) => (tx: Transmit, from: Locator) => this.capture({ from, to: tx.to, data: tx.data, node });
    for (const h of this.hosts) h.tap = tap(h.name);
    this.faNode.tap = tap("FA");
    const sim = this.sim;
    sim.addNode("A", this.a, [ADDR.a1]);
    sim.addNode("B", this.b, [ADDR.b]);
    sim.addNode("M", this.m, [ADDR.m]);
    sim.addNode("FA", this.faNode, [ADDR.fa]);
    // A is multi-homed: a second interface (REA lists both, §4.1).
    this.a.stack.local?.addInterface(2, 1);
    this.a.stack.local?.addAddress(2, ADDR.a2, 0);
    sim.addAddress("A", ADDR.a2);
    sim.at(0, () => this.b.stack.startFa(sim.now));
    sim.at(50, () => this.a.stack.connect(sim.now, ADDR.b, this.b.hit, ADDR.a1));
    sim.at(60, () => this.m.stack.connect(sim.now, ADDR.a1, this.a.hit, ADDR.m));
    sim.at(70, () => this.m.stack.connect(sim.now, ADDR.b, this.b.hit, ADDR.m));
    const every = o.flowEveryMs ?? 4;
    if (every > 0) {
      this.a.startFlow(this.b.hit, 400, every);
      this.b.startFlow(this.a.hit, 400, every);
      // A → M too (slower): A's outbound SAs toward M are what M's hostile REAs/UPDATEs target, so
      // their sealed packets show any (key, IV) reuse.
      this.a.startFlow(this.m.hit, 450, 10 * every);
    }
    sim.runUntil(1500);
  }

  /** What must hold after setup: the states the fuzzer is meant to attack. */
  ready(): string[] {
    const bad: string[] = [];
    const est = (h: FuzzHost, p: FuzzHost) => h.stack.host.association(p.hit)?.state === "ESTABLISHED";
    if (!est(this.a, this.b) || !est(this.b, this.a)) bad.push("A-B not ESTABLISHED");
    if (!est(this.a, this.m) || !est(this.m, this.a)) bad.push("M-A not ESTABLISHED");
    if (!est(this.b, this.m)) bad.push("M-B not ESTABLISHED");
    if (!this.b.stack.fa?.lease) bad.push("B holds no FA lease");
    const s = this.a.stack.mobility?.session(this.b.hit);
    if (!s || s.counters.acrReceived + s.counters.acrSent === 0) bad.push("no AC/ACR round A-B");
    if (this.b.receivedFrom(this.a.hit) === 0 || this.a.receivedFrom(this.b.hit) === 0) bad.push("honest flow not delivering");
    return bad;
  }

  private capture(c: Captured): void {
    if (this.ring.length < World.RING) this.ring.push(c);
    else this.ring[this.ringAt] = c;
    this.ringAt = (this.ringAt + 1) % World.RING;
  }
}
