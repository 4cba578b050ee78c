// Fleet takeover with real host stacks (docs/PROTOCOL.md §13.1), sans-I/O on the FA test
// network: host H leases at fleet node A and talks ESP (BEET) with peer P through the fleet's
// shared locator. A dies; B, which the shared locator's packets reach now, finds A down and
// delivers P's packets to H itself; H's stack follows B (no FAQ, same lease), and its replies
// reach P through B. Nodes share one MemoryLeaseStore (what Redis is to real nodes).
import assert from "node:assert/strict";
import { test } from "node:test";
import { SeededRng } from "../../src/core/rng.ts";
import { type Locator, locatorKey, type Millis, type Transmit } from "../../src/core/types.ts";
import { ForwardingAgent } from "../../src/fa/core/agent.ts";
import { faConfig } from "../../src/fa/core/config.ts";
import type { FaSend } from "../../src/fa/core/forward.ts";
import type { StoreResult } from "../../src/fa/core/jobs.ts";
import { MemoryLeaseStore } from "../../src/fa/store/memory.ts";
import { HostStack } from "../../src/runtime/stack.ts";
import { type Endpoint, identity, Net } from "./harness.ts";
import "../../src/wasm/loader.ts"; // registers the embedded WASM module (ESP)

const SHARED = { ip: "192.0.2.10", port: 10500 };
const CA = { ip: "192.0.2.2", port: 10500 };
const CB = { ip: "192.0.2.3", port: 10500 };
const H = { ip: "198.51.100.7", port: 5000 };
const P = { ip: "203.0.113.9", port: 7000 };

/** One fleet node on the Net: FaSend.node goes to the named node's handleFleet. */
class FleetNode implements Endpoint {
  readonly fa: ForwardingAgent;
  dead = false;
  private readonly tx: Transmit[] = [];
  constructor(
    readonly name: string,
    ctl: Locator,
    private readonly fleet: Map<string, FleetNode>,
    private readonly store: MemoryLeaseStore,
  ) {
    this.fa = new ForwardingAgent({ identity: identity(1), config: faConfig({ control: [ctl], shared4: [SHARED], puzzle: "off" }), rng: new SeededRng(name.charCodeAt(0)), durable: true, node: name });
    fleet.set(name, this);
  }
  handleDatagram(now: Millis, data: Uint8Array, from: Locator, to: Locator): void {
    const l = this.fa.locals.find((x) => locatorKey(x.locator) === locatorKey(to));
    if (l && !this.dead) this.out(now, this.fa.handleDatagram(now, l.index, from.ip, from.port, data));
  }
  fromNode(now: Millis, at: Locator, from: Locator, data: Uint8Array): void {
    if (!this.dead) this.out(now, this.fa.handleFleet(now, at, from.ip, from.port, data));
  }
  private out(now: Millis, d: FaSend | undefined): void {
    if (d?.node !== undefined) this.fleet.get(d.node)?.fromNode(now, this.fa.locals[d.local].locator, { ...d.to }, d.data.slice());
    else if (d) this.tx.push({ to: { ...d.to }, from: this.fa.locals[d.local].locator, data: d.data.slice() });
    this.pump(now);
  }
  /** Store jobs run at once; the store's change goes to the other nodes (its watcher). */
  private pump(now: Millis): void {
    for (let j = this.fa.pollJob(); j; j = this.fa.pollJob()) {
      let r: StoreResult;
      if (j.op === "create") r = { ok: true, value: this.store.claim(j.lease) };
      else if (j.op === "renew") r = { ok: true, value: this.store.renewNow(j.lease)?.expires };
      else if (j.op === "release") r = { ok: true, value: this.store.delete(j.hit, j.leaseId) !== undefined };
      else r = { ok: true, value: false };
      this.fa.completeJob(now, j.id, r);
      const l = (j.op === "create" || j.op === "renew") && this.store.get(j.lease.hit, j.lease.leaseId);
      if (l) for (const n of this.fleet.values()) if (n !== this && !n.dead) n.fa.leaseChanged(now, { ...l });
    }
  }
  handleTimeout(now: Millis): void {
    if (!this.dead) this.fa.handleTimeout(now);
    this.pump(now);
  }
  pollTransmit(): Transmit | undefined {
    for (let t = this.fa.pollTransmit(); t; t = this.fa.pollTransmit()) this.tx.push({ to: { ...t.to }, from: this.fa.locals[t.local].locator, data: t.data });
    return this.dead ? undefined : this.tx.shift();
  }
  pollTimeout(): Millis | undefined {
    return this.dead ? undefined : this.fa.pollTimeout();
  }
}

function messages(s: HostStack): string[] {
  const out: string[] = [];
  for (let e = s.pollEvent(); e; e = s.pollEvent()) if (e.type === "message") out.push(new TextDecoder().decode(e.data));
  return out;
}

test("fleet takeover with host stacks: A dies, B delivers P's ESP to H, H follows B (no FAQ), H's replies reach P", () => {
  const net = new Net();
  const store = new MemoryLeaseStore();
  const fleet = new Map<string, FleetNode>();
  const b = new FleetNode("b", CB, fleet, store);
  const a = new FleetNode("a", CA, fleet, store);
  net.attach(CA, a);
  net.attach(CB, b);
  net.attach(SHARED, a); // the shared locator's packets reach A
  const h = new HostStack({ host: { identity: identity(70), rng: new SeededRng(71), puzzleK: 1 }, mobility: {}, addresses: [H], fa: { fas: [{ locator: CA }, { locator: CB }], addrType: 4, spis: 16, fleet: true, from: H, privacy: true } }); // privacy: P only ever knows the shared locator
  const p = new HostStack({ host: { identity: identity(72), rng: new SeededRng(73), puzzleK: 1 }, mobility: {}, addresses: [P] });
  net.attach(H, h);
  net.attach(P, p);
  h.startFa(net.now);
  net.advance(500);
  const lease = h.fa!.lease!;
  assert.ok(lease, "leased at A");
  assert.deepEqual(lease.locator, SHARED);
  h.connect(net.now, P, p.hit, lease.locator); // the I1 leaves from the leased locator
  net.advance(2000);
  assert.equal(h.host.association(p.hit)?.state, "ESTABLISHED");
  assert.ok(["ESTABLISHED", "R2-SENT"].includes(String(p.host.association(h.hit)?.state)), "P associated");
  assert.equal(locatorKey(p.host.association(h.hit)!.peerLocator), locatorKey(SHARED), "P knows H at the shared locator");
  p.send(h.hit, 1000, 2000, new TextEncoder().encode("one"), net.now);
  net.advance(10);
  assert.deepEqual(messages(h), ["one"]);
  messages(p);
  // A dies: its locators go dark, the shared one reaches B; B finds A down (§13.1)
  a.dead = true;
  net.detach(CA);
  net.attach(SHARED, b);
  b.fa.nodeState("a", true);
  const sent = net.log.length;
  p.send(h.hit, 1000, 2000, new TextEncoder().encode("two"), net.now);
  net.advance(10);
  assert.deepEqual(messages(h), ["two"], "P's packet reached H through B");
  assert.deepEqual(h.fa!.fa.locator, CB, "H follows B");
  assert.equal(b.fa.counters.takeovers, 1);
  assert.equal(store.unexpired(net.now)[0]?.node, "b", "B holds the lease in the store");
  h.send(p.hit, 2000, 1000, new TextEncoder().encode("back"), net.now);
  net.advance(10);
  assert.deepEqual(messages(p), ["back"], "H's reply reached P through B");
  const after = net.log.slice(sent);
  assert.ok(after.some((x) => locatorKey(x.from) === locatorKey(SHARED) && locatorKey(x.to) === locatorKey(P)), "from the shared locator");
  assert.ok(!after.some((x) => locatorKey(x.to) === locatorKey(CA)), "nothing sent to the dead node");
  assert.equal(h.fa!.lease!.leaseId, lease.leaseId, "same lease");
  const hip = (d: Uint8Array) => d.length > 8 && d[0] === 0 && d[1] === 0 && d[2] === 0 && d[3] === 0;
  assert.ok(!after.some((x) => locatorKey(x.from) === locatorKey(H) && hip(x.data)), "no HIP control packet (no FAQ) from H");
});
