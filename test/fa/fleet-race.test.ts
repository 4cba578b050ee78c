// The fleet's lease caches under racing writes (issue 15 follow-up, docs/PROTOCOL.md §13.2),
// deterministic: two sans-I/O agents over one shared MemoryLeaseStore whose commits, replies and
// change notifications the test delivers in the order it picks — the orders Redis allows, where a
// script's reply (command connection) and the changes it publishes (subscriber connection) race.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { ForwardingAgent } from "../../src/fa/core/agent.ts";
import { leaseCopy, type StoreJob, type StoreResult } from "../../src/fa/core/jobs.ts";
import { hitHex } from "../../src/fa/core/lease.ts";
import { buildFaq, parseFaPacket } from "../../src/fa/core/messages.ts";
import { wrapRelay } from "../../src/fa/core/relay.ts";
import { MemoryLeaseStore } from "../../src/fa/store/memory.ts";
import { PacketType } from "../../src/wire/constants.ts";
import { frameHip } from "../../src/wire/framing.ts";
import { espPacket, FLEET_HOST, FLEET_PEER, FLEET_SHARED, fleetNode, identity } from "./harness.ts";

const [SHARED, HOST, PEER, node] = [FLEET_SHARED, FLEET_HOST, FLEET_PEER, fleetNode];
type Node = ReturnType<typeof node>;

/** A shared store the test drives: `commit` runs a job's script now (in store order) and
 *  publishes its change to every node (itself too, as Redis pub/sub does); the reply and the
 *  notifications are delivered later, when the test says. */
class Fleet {
  readonly store = new MemoryLeaseStore();
  private readonly inbox = new Map<ForwardingAgent, (() => void)[]>();

  constructor(readonly nodes: Node[]) {
    for (const n of nodes) this.inbox.set(n.fa, []);
  }

  /** Commit the next queued job of `n`; its reply, to deliver when the test wants. */
  commit(n: Node, job?: StoreJob): () => void {
    const j = job ?? n.fa.pollJob();
    assert.ok(j, `${n.name} has a store job`);
    const s = this.store;
    let r: StoreResult;
    let note: ((fa: ForwardingAgent) => void) | undefined;
    if (j.op === "create") {
      const value = s.claim(j.lease);
      const l = s.get(j.lease.hit, j.lease.leaseId);
      r = { ok: true, value, version: l?.version };
      if (value === "ok" && l) note = (fa) => fa.leaseChanged(0, leaseCopy(l));
    } else if (j.op === "renew") {
      const l = s.renewNow(j.lease);
      r = { ok: true, value: l?.expires, version: l?.version };
      if (l) {
        const c = leaseCopy(l);
        note = (fa) => fa.leaseChanged(0, leaseCopy(c));
      }
    } else {
      const had = s.get(j.hit, j.leaseId) !== undefined;
      if (j.op === "release") void s.release(j.hit, j.leaseId);
      else void s.expire(j.hit, j.leaseId, j.now);
      r = { ok: true, value: had };
      const v = s.version;
      if (had) note = (fa) => fa.leaseRemoved(j.hit, j.leaseId, v);
    }
    if (note) for (const [fa, q] of this.inbox) q.push(() => note(fa));
    return () => n.fa.completeJob(0, j.id, r);
  }

  /** Deliver the changes published so far to `n`, in publication order. */
  deliver(n: Node): void {
    const q = this.inbox.get(n.fa)!;
    while (q.length) q.shift()!();
  }

  /** Commit and answer every job, deliver every change, until nothing moves. */
  settle(): void {
    for (let moved = true; moved; ) {
      moved = false;
      for (const n of this.nodes) {
        for (let j = n.fa.pollJob(); j; j = n.fa.pollJob()) {
          moved = true;
          this.commit(n, j)();
        }
        if (this.inbox.get(n.fa)!.length) moved = true;
        this.deliver(n);
      }
    }
  }
}

function answers(fa: ForwardingAgent) {
  const out = [];
  for (let t = fa.pollTransmit(); t; t = fa.pollTransmit()) {
    const p = parseFaPacket(t.data.subarray(4), false);
    if (p.ok) out.push(p.value);
  }
  return out;
}

/** Fleet of A and B; a lease granted at A (holder A), known to B. */
function setup(seed: number) {
  const a = node("a", "192.0.2.2");
  const b = node("b", "192.0.2.3");
  const fleet = new Fleet([a, b]);
  const host = identity(seed);
  const faq = (n: Node, requestId: number, leaseId = 0, lifetime = 300) =>
    n.fa.handleDatagram(0, n.ctlIndex, HOST.ip, HOST.port, frameHip(buildFaq(host, a.fa.hit, { requestId, leaseId, lifetime, addrType: 4, spis: 16 })));
  faq(a, 1);
  fleet.settle();
  const [faa] = answers(a.fa);
  assert.equal(faa.packetType, PacketType.FAA);
  const leaseId = faa.info!.leaseId;
  const spi = (faa.info!.address as { minSpi: number }).minSpi;
  const hit = hitHex(host.hit);
  assert.equal(b.fa.store.get(hit, leaseId)?.node, "a");
  /** The host's relay frame reaches B: B claims the lease (the host moved to B). */
  const moveToB = () => b.fa.handleDatagram(0, b.ctlIndex, HOST.ip, HOST.port, wrapRelay(SHARED, PEER, espPacket(0x4242, 1, 80)));
  /** Where each node sends a peer's packet for the host: "host" (delivers) or the node it passes it to. */
  const route = (n: Node) => {
    const o = n.fa.handleDatagram(0, n.sharedIndex, PEER.ip, PEER.port, espPacket(spi, 7, 100));
    return o === undefined ? "dropped" : (o.node ?? "host");
  };
  return { a, b, fleet, faq, leaseId, hit, moveToB, route };
}

test("fleet race: another node's claim committed after our renewal, announced while our reply is in flight, is not lost", () => {
  const { a, b, fleet, faq, leaseId, hit, moveToB, route } = setup(50);
  faq(a, 2, leaseId); // the host renews at A ...
  const renewAtA = fleet.commit(a); // ... Redis runs A's script (holder A)
  moveToB(); // ... the host moved: its relay frame at B makes B claim the lease
  fleet.commit(b)(); // B's claim commits after A's renewal: the holder is B
  fleet.deliver(a); // A hears both changes (its own, then B's) before its own reply
  renewAtA(); // A's reply arrives last
  fleet.deliver(b);
  assert.equal(answers(a.fa)[0]?.packetType, PacketType.FAA, "the renewal is answered");
  assert.equal(fleet.store.get(hit, leaseId)?.node, "b", "the store names B");
  assert.equal(a.fa.store.get(hit, leaseId)?.node, "b", "A's cache follows the store: B holds the host");
  assert.equal(b.fa.store.get(hit, leaseId)?.node, "b");
  assert.equal(route(a), "b", "A passes the host's packets to B (it does not keep sending them itself)");
  assert.equal(route(b), "host");
});

test("fleet race: a change older than our own write, announced after its reply, never reinstates the old holder", () => {
  const { a, b, fleet, faq, leaseId, hit, moveToB, route } = setup(51);
  moveToB();
  const claimAtB = fleet.commit(b); // B's claim commits first ...
  faq(a, 2, leaseId);
  fleet.commit(a)(); // ... then the host's renewal at A (holder A again), whose reply A gets at once
  assert.equal(fleet.store.get(hit, leaseId)?.node, "a");
  claimAtB();
  // A's subscriber now brings B's (older) change, then A's own
  const q = (fleet as unknown as { inbox: Map<ForwardingAgent, (() => void)[]> }).inbox.get(a.fa)!;
  q.shift()!();
  assert.equal(a.fa.store.get(hit, leaseId)?.node, "a", "the older change is ignored: A holds the host");
  assert.equal(route(a), "host", "no window where A passes packets to B while B passes them back");
  fleet.deliver(a);
  fleet.deliver(b);
  assert.equal(a.fa.store.get(hit, leaseId)?.node, "a");
  assert.equal(b.fa.store.get(hit, leaseId)?.node, "a");
  assert.equal(route(b), "a");
});

test("fleet race: a release at another node while our renewal is in flight removes the lease from our cache", () => {
  const { a, b, fleet, faq, leaseId, hit } = setup(52);
  faq(a, 2, leaseId);
  const renewAtA = fleet.commit(a); // A's renewal commits ...
  faq(b, 3, leaseId, 0); // ... then the host releases the lease through B
  fleet.commit(b)();
  assert.equal(fleet.store.get(hit, leaseId), undefined);
  fleet.deliver(a); // A hears its renewal and the release while its reply is in flight
  renewAtA();
  fleet.deliver(b);
  assert.equal(a.fa.store.get(hit, leaseId), undefined, "A dropped the released lease");
  assert.equal(b.fa.store.get(hit, leaseId), undefined);
  fleet.settle();
  assert.equal(a.fa.store.get(hit, leaseId), undefined);
});

test("fleet race: our claim and another node's claim cross; every cache ends on the holder the store names", () => {
  const { a, b, fleet, leaseId, hit, moveToB, route } = setup(53);
  moveToB();
  const claimB = fleet.commit(b);
  fleet.deliver(a); // A learns B holds the host ...
  a.fa.nodeState("b", true); // ... then takes it over, B seeming down (§13.1), and claims it back
  assert.equal(route(a), "host");
  const claimA = fleet.commit(a); // A's claim commits after B's
  fleet.deliver(b); // B hears its claim, then A's, before its own reply
  claimB();
  claimA();
  a.fa.nodeState("b", false);
  fleet.deliver(a);
  assert.equal(fleet.store.get(hit, leaseId)?.node, "a");
  for (const n of [a, b]) assert.equal(n.fa.store.get(hit, leaseId)?.node, "a", `${n.name}'s cache names A`);
  assert.equal(route(b), "a");
});
