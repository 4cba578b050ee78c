// The fleet's lease-cache ordering (docs/PROTOCOL.md §13.2) against a real redis-server: two
// sans-I/O agents, each with its own RedisLeaseStore (command + subscriber connections), driven
// so that the test picks when each script's reply and each published change reach its agent —
// the interleavings two connections allow. Also: changes published while a node's subscriber is
// disconnected reach it by the resync after it resubscribes.
import assert from "node:assert/strict";
import { test } from "node:test";
import { SeededRng } from "../../src/core/rng.ts";
import { ForwardingAgent } from "../../src/fa/core/agent.ts";
import { faConfig } from "../../src/fa/core/config.ts";
import type { StoreJob, StoreResult } from "../../src/fa/core/jobs.ts";
import { hitHex } from "../../src/fa/core/lease.ts";
import { buildFaq, parseFaPacket } from "../../src/fa/core/messages.ts";
import { wrapRelay } from "../../src/fa/core/relay.ts";
import { RedisLeaseStore } from "../../src/fa/store/redis.ts";
import { PacketType } from "../../src/wire/constants.ts";
import { frameHip } from "../../src/wire/framing.ts";
import { haveRedis, RedisServer } from "../helpers/redis.ts";
import { espPacket, identity } from "./harness.ts";

const SHARED = { ip: "127.0.0.10", port: 10500 };
const HOST = { ip: "127.0.0.1", port: 5000 };
const PEER = { ip: "127.0.0.1", port: 7000 };

async function waitFor(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1000 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(cond(), what);
}

/** One node: an agent and its store; replies and changes wait until the test delivers them. */
class RNode {
  readonly fa: ForwardingAgent;
  readonly ctlIndex: number;
  readonly sharedIndex: number;
  readonly inbox: { kind: string; run: () => void }[] = [];

  private constructor(
    readonly name: string,
    readonly store: RedisLeaseStore,
    ip: string,
  ) {
    this.fa = new ForwardingAgent({ identity: identity(1), config: faConfig({ control: [{ ip, port: 10500 }], shared4: [SHARED], puzzle: "off" }), rng: new SeededRng(name.charCodeAt(0)), durable: true, node: name });
    this.ctlIndex = this.fa.locals.findIndex((l) => l.control);
    this.sharedIndex = this.fa.locals.findIndex((l) => l.shared);
    const push = (kind: string, run: () => void) => this.inbox.push({ kind, run });
    store.watch({
      changed: (l) => push("changed", () => this.fa.leaseChanged(Date.now(), l)),
      removed: (h, i, v) => push("removed", () => this.fa.leaseRemoved(h, i, v)),
      reloaded: (all, v) => push("reloaded", () => this.fa.loadLeases(Date.now(), all, v)),
    });
  }

  static async open(name: string, url: string, ip: string): Promise<RNode> {
    const n = new RNode(name, await RedisLeaseStore.open({ url }), ip);
    await waitFor(() => n.inbox.some((x) => x.kind === "reloaded"), `${name} subscribed`); // resync after subscribe
    n.deliver();
    return n;
  }

  /** Run the next queued job against Redis; resolves (script committed) to its reply, to deliver later. */
  async commit(): Promise<() => void> {
    const j: StoreJob | undefined = this.fa.pollJob();
    assert.ok(j, `${this.name} has a store job`);
    const s = this.store;
    const value = await (j.op === "create" ? s.create(j.lease) : j.op === "renew" ? s.renew(j.lease) : j.op === "release" ? s.release(j.hit, j.leaseId) : s.expire(j.hit, j.leaseId, j.now));
    const r = { ok: true, value, version: "lease" in j ? j.lease.version : undefined } as StoreResult;
    return () => this.fa.completeJob(Date.now(), j.id, r);
  }

  deliver(): void {
    while (this.inbox.length) this.inbox.shift()!.run();
  }

  route(spi: number): string {
    const o = this.fa.handleDatagram(Date.now(), this.sharedIndex, PEER.ip, PEER.port, espPacket(spi, 7, 100));
    return o === undefined ? "dropped" : (o.node ?? "host");
  }
}

test("fleet race on real Redis: a claim announced while our renewal's reply is in flight wins; a feed gap is filled by the resync", { timeout: 60_000 }, async (t) => {
  if (!haveRedis()) return t.skip("redis-server not installed (.ci/run installs it)");
  const redis = await RedisServer.start();
  const a = await RNode.open("a", redis.url, "127.0.0.2");
  const b = await RNode.open("b", redis.url, "127.0.0.3");
  try {
    const host = identity(60);
    const hit = hitHex(host.hit);
    const faq = (n: RNode, requestId: number, leaseId = 0) => n.fa.handleDatagram(Date.now(), n.ctlIndex, HOST.ip, HOST.port, frameHip(buildFaq(host, a.fa.hit, { requestId, leaseId, lifetime: 300, addrType: 4, spis: 16 })));
    faq(a, 1);
    (await a.commit())();
    const t0 = a.fa.pollTransmit();
    const faa = t0 && parseFaPacket(t0.data.subarray(4), false);
    assert.ok(faa?.ok && faa.value.packetType === PacketType.FAA);
    const leaseId = faa.value.info!.leaseId;
    const spi = (faa.value.info!.address as { minSpi: number }).minSpi;
    await waitFor(() => b.inbox.length > 0, "B hears the lease");
    b.deliver();
    a.deliver();
    assert.equal(b.fa.store.get(hit, leaseId)?.node, "a");
    const v0 = a.fa.store.get(hit, leaseId)?.version;
    assert.ok(v0 !== undefined && v0 >= 1, "the create's reply carries its version");

    // the host renews at A; Redis runs A's script; the host moves to B, whose claim commits next
    faq(a, 2, leaseId);
    const renewAtA = await a.commit();
    b.fa.handleDatagram(Date.now(), b.ctlIndex, HOST.ip, HOST.port, wrapRelay(SHARED, PEER, espPacket(0x4242, 1, 80)));
    (await b.commit())();
    // A's feed brings both changes (its own renewal, then B's claim) before A's reply
    await waitFor(() => a.inbox.length >= 2, "A hears both changes");
    assert.deepEqual(
      a.inbox.map((x) => x.kind),
      ["changed", "changed"],
    );
    a.deliver();
    renewAtA();
    await waitFor(() => b.inbox.length >= 2, "B hears both changes");
    b.deliver();
    assert.equal(a.fa.pollTransmit() !== undefined, true, "the renewal is answered");
    const stored = await a.store.load(Date.now());
    assert.equal(stored.find((l) => l.hit === hit)?.node, "b", "Redis names B");
    assert.equal(a.fa.store.get(hit, leaseId)?.node, "b", "A's cache follows: B holds the host");
    assert.equal(a.route(spi), "b");
    assert.equal(b.route(spi), "host");

    // A's subscriber drops off (as in a Redis reconnect); Redis confirms one subscriber left (B's)
    const sub = (a.store as unknown as { sub: { disconnect(): void; connect(): Promise<void> } }).sub;
    const r = a.store.client as { call(...a: string[]): Promise<unknown> };
    const subscribers = async () => ((await r.call("PUBSUB", "NUMSUB", `${a.store.prefix}changes`)) as [string, number])[1];
    sub.disconnect();
    for (let i = 0; i < 500 && (await subscribers()) !== 1; i++) await new Promise((res) => setTimeout(res, 10));
    assert.equal(await subscribers(), 1);
    // meanwhile A takes the host back (B seems down) and B renews it for the host twice
    faq(b, 3, leaseId);
    (await b.commit())();
    a.fa.nodeState("b", true);
    assert.equal(a.route(spi), "host");
    a.fa.nodeState("b", false);
    (await a.commit())(); // A's claim: holder A
    faq(b, 4, leaseId);
    (await b.commit())(); // B's renewal after it: holder B; A's feed missed all three
    assert.equal(a.fa.store.get(hit, leaseId)?.node, "a", "A, deaf, still names itself");
    await sub.connect(); // back: resubscribed, then reloaded
    await waitFor(() => a.inbox.some((x) => x.kind === "reloaded"), "A resyncs after resubscribing");
    assert.deepEqual(
      a.inbox.map((x) => x.kind),
      ["reloaded"],
      "nothing from the gap came by the feed",
    );
    a.deliver();
    const last = (await a.store.load(Date.now())).find((l) => l.hit === hit)!;
    assert.equal(last.node, "b");
    assert.equal(a.fa.store.get(hit, leaseId)?.version, last.version, "A caught up with the store");
    assert.equal(a.fa.store.get(hit, leaseId)?.node, "b");
    assert.equal(a.route(spi), "b");
  } finally {
    await a.store.close();
    await b.store.close();
    await redis.stop();
  }
});
