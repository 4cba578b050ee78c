// Fleet node liveness (docs/PROTOCOL.md §13.1, src/fa/server/fleet-peers.ts) on real UDP
// sockets on loopback: a node whose process is gone is down by ICMP (ECONNREFUSED on the
// connected socket); a node that stays bound but goes silent is down after the missed
// heartbeats; a forged or replayed heartbeat changes nothing; a valid one brings it back.
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { createSocket, type Socket } from "node:dgram";
import { test } from "node:test";
import { ipToBytes } from "../../src/core/addr.ts";
import type { Locator } from "../../src/core/types.ts";
import { FleetLink, type FleetRegistry } from "../../src/fa/server/fleet.ts";

const KEY = new Uint8Array(32).fill(9);

/** The registry a RedisLeaseStore keeps, in memory (the node-to-node side is what is tested). */
class Registry implements FleetRegistry {
  readonly entries = new Map<string, { fleet: Locator; alive: boolean }>();
  async heartbeat(name: string, fleet: Locator): Promise<void> {
    this.entries.set(name, { fleet, alive: true });
  }
  async nodes() {
    return [...this.entries].map(([name, e]) => ({ name, ...e }));
  }
}

function heartbeat(name: string, at: Locator, sentAt: number, key = KEY): Buffer {
  const n = Buffer.from(name);
  const end = 13 + n.length + 18;
  const b = Buffer.alloc(end + 32);
  b.write("HFH1", 0, "latin1");
  b.writeBigUInt64BE(BigInt(sentAt), 4);
  b[12] = n.length;
  n.copy(b, 13);
  b.set(ipToBytes(at.ip)!, 13 + n.length);
  b.writeUInt16BE(at.port, end - 2);
  createHmac("sha256", key).update(b.subarray(0, end)).digest().copy(b, end);
  return b;
}

async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 25));
  assert.ok(cond(), what);
}

test("fleet liveness: ICMP-refused and silent nodes go down, forged/replayed heartbeats change nothing, a valid one revives", { timeout: 60_000 }, async () => {
  const reg = new Registry();
  const reports: { node: string; down: boolean; reason: string }[] = [];
  const opts = (node: string) => ({ node, key: KEY, listen: { ip: "127.0.0.1", port: 0 }, liveness: { heartbeatMs: 20, deadAfter: 10 }, registryMs: 50 });
  const a = await FleetLink.open(opts("a"), reg, Date.now, () => {}, (node, down, reason) => reports.push({ node, down, reason }));
  const b = await FleetLink.open(opts("b"), reg, Date.now, () => {});
  // "c": bound, registered, never sends a heartbeat (a stalled or partitioned node)
  const c: Socket = createSocket("udp4");
  await new Promise<void>((r) => c.bind(0, "127.0.0.1", () => r()));
  const cLoc = { ip: "127.0.0.1", port: c.address().port };
  let bOpen = true;
  try {
    await until(() => a.counters.heartbeatsReceived > 3, "a hears b's heartbeats");
    await reg.heartbeat("c", cLoc);
    await until(() => reports.some((r) => r.node === "c" && r.down), "a silent node is declared down");
    assert.equal(reports.find((r) => r.node === "c")?.reason, "silent");
    // a heartbeat under another key, and one replayed with an old sent-at: no revival
    const bad = a.counters.badMac;
    c.send(heartbeat("c", cLoc, Date.now(), new Uint8Array(32).fill(1)), a.locator.port, a.locator.ip);
    await until(() => a.counters.badMac > bad, "wrong key counted");
    const now = Date.now();
    c.send(heartbeat("c", cLoc, now), a.locator.port, a.locator.ip);
    await until(() => reports.some((r) => r.node === "c" && !r.down), "a valid heartbeat revives c");
    assert.equal(reports.at(-1)?.reason, "heartbeat");
    await until(() => reports.filter((r) => r.node === "c" && r.down).length === 2, "c silent again");
    c.send(heartbeat("c", cLoc, now), a.locator.port, a.locator.ip); // the same heartbeat, replayed
    const sent = a.counters.heartbeatsSent;
    await until(() => a.counters.heartbeatsSent > sent + 10, "a few heartbeat intervals pass");
    assert.equal(reports.filter((r) => r.node === "c" && !r.down).length, 1, "the replay revived nothing");
    // b's process goes away (its sockets close): ICMP port unreachable on a's connected socket
    b.close();
    bOpen = false;
    await until(() => reports.some((r) => r.node === "b" && r.down), "b is declared down");
    assert.equal(reports.find((r) => r.node === "b" && r.down)?.reason, "refused");
    assert.ok(a.counters.refused >= 1);
    assert.equal(a.counters.nodesAlive, 1, "only a itself");
  } finally {
    a.close();
    if (bOpen) b.close();
    c.close();
  }
});
