// Per-interface SAs (draft §4.5, §6.1.1.1) on the real stack: an interface whose path latency
// differs from the fast one by more than the reordering tolerance gets its own inbound SA (New
// SPI + KEYMAT index in REA_INFO); the peer installs the matching outbound SA and uses it for
// that interface's addresses; a replaced SA is retired only when complete or late.
import assert from "node:assert/strict";
import { test } from "node:test";
import { sameLocator } from "../../src/core/types.ts";
import { newDataPlane } from "../../src/runtime/stack.ts";
import { SaTable } from "../../src/runtime/sa-table.ts";
import { L, pair } from "../mobility/util.ts";

test("slow interface gets its own SA; after failover the data uses it", () => {
  const fast = L("10.1.0.1");
  const slow = L("10.2.0.1");
  const { sim, a, b } = pair(61, fast, L("10.0.0.2"), { probeIntervalMs: 50, failoverTimeoutMs: 150, sharedSaMaxLatencySpreadMs: 20 });
  a.stack.local!.addInterface(2, 0);
  a.stack.local!.addAddress(2, slow, 0);
  sim.addAddress("A", slow);
  sim.setPath(slow, "B", { latency: 80 });
  b.startFlow(a, 100, 3000, 2);
  sim.runUntil(1500);
  const own = a.notes.filter((n) => /per-interface SA inbound/.test(n.text));
  assert.equal(own.length, 1, a.notes.map((n) => n.text).join("\n"));
  const spi = Number.parseInt(/0x([0-9a-f]+)/.exec(own[0].text)![1], 16);
  assert.ok(b.notes.some((n) => n.text.includes(`outbound 0x${spi.toString(16)}`)), "B installed the outbound SA from the KEYMAT index");
  assert.equal(b.session(a).spiFor(slow), spi);
  assert.notEqual(b.session(a).spiFor(fast), spi);
  sim.at(1600, () => sim.partition(fast));
  sim.runUntil(3100);
  assert.deepEqual(b.session(a).path?.to, slow);
  const late = a.delivered.filter((d) => d.t > 2000);
  assert.ok(late.length > 200 && late.every((d) => !!d.to && sameLocator(d.to, slow)));
  // Every datagram that arrived on the slow path used the slow interface's SA.
  const espToSlow = sim.trace.filter((e) => e.kind === "delivered" && e.t > 2000 && sameLocator(e.to, slow) && e.data && e.data[0] + e.data[1] + e.data[2] + e.data[3] !== 0);
  assert.ok(espToSlow.length > 200);
  for (const e of espToSlow) assert.equal(new DataView(e.data!.buffer, e.data!.byteOffset).getUint32(0), spi);
});

test("a retired inbound SA stays until its lower sequence numbers arrived, or its timeout (§6.1.1.1)", () => {
  const rx = newDataPlane();
  const tx = newDataPlane();
  const key = (n: number) => new Uint8Array(20).fill(n);
  const peer = new Uint8Array(16).fill(9);
  const sas = new SaTable(rx, 2000);
  const base = { suite: 13 as const, encKey: key(1), authKey: new Uint8Array(0) };
  sas.installPair(peer, { ...base, direction: "in", spi: 0x1000 }, { ...base, direction: "out", spi: 0x2000 });
  assert.ok(sas.add(peer, { ...base, encKey: key(2), direction: "in", spi: 0x1001 }));
  const out = tx.installSa({ ...base, encKey: key(2), direction: "out", spi: 0x1001 });
  const pkts = [1, 2, 3].map(() => tx.seal(out, 17, new Uint8Array(16)));
  assert.equal(rx.open(pkts[0]).status, 0);
  assert.equal(rx.open(pkts[2]).status, 0);
  sas.delete(peer, "in", 0x1001, 100);
  assert.equal(sas.bySpi(0x1001)?.spiIn, 0x1000, "kept: seq 2 is missing");
  assert.equal(sas.nextDeadline(), 2100);
  assert.equal(rx.open(pkts[1]).status, 0);
  sas.sweep(150);
  assert.equal(sas.bySpi(0x1001), undefined, "complete: deleted");
  // Another one never completes: gone at the deadline.
  sas.add(peer, { ...base, encKey: key(3), direction: "in", spi: 0x1002 });
  const out3 = tx.installSa({ ...base, encKey: key(3), direction: "out", spi: 0x1002 });
  tx.seal(out3, 17, new Uint8Array(4));
  rx.open(tx.seal(out3, 17, new Uint8Array(4)));
  sas.delete(peer, "in", 0x1002, 1000);
  sas.sweep(2999);
  assert.ok(sas.bySpi(0x1002));
  sas.sweep(3000);
  assert.equal(sas.bySpi(0x1002), undefined);
  assert.equal(sas.bySpi(0x1000)?.spiIn, 0x1000, "the base-exchange SA is never retired this way");
});
