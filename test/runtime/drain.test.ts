// Removed addresses keep receiving for drainMs after their own removal (runtime/drain.ts), at most
// drainMax at once. Before, one timer restarted at every move closed them all only after a quiet
// drainMs, so a host moving more often than that kept every old socket open.
import assert from "node:assert/strict";
import { test } from "node:test";
import { SeededRng } from "../../src/core/rng.ts";
import { HostIdentity } from "../../src/hip/identity.ts";
import type { RuntimeHost } from "../../src/runtime/host.ts";
import { startNodeHost } from "../../src/runtime/node.ts";
import { bindNodeUdp } from "../../src/transport/udp-node.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const draining = (h: RuntimeHost) => h.stats().transport?.draining as number;

async function moves(a: RuntimeHost, n: number, everyMs: number, seen: number[]): Promise<void> {
  for (let i = 0; i < n; i++) {
    const s = await bindNodeUdp(`127.0.${10 + i}.2`, 0);
    await a.changeAddresses([s], [a.locals[0]]);
    seen.push(draining(a));
    await sleep(everyMs);
  }
}

test("a host moving every 100 ms with drainMs 300 keeps ~3 old sockets open, not all of them; each closes on its own deadline", { timeout: 20_000 }, async () => {
  const rng = new SeededRng(91);
  const a = await startNodeHost({ identity: HostIdentity.generate(rng), listen: ["127.0.0.2:0"], hip: { puzzleK: 0 }, drainMs: 300 });
  const b = await startNodeHost({ identity: HostIdentity.generate(rng), listen: ["127.0.0.1:0"], hip: { puzzleK: 0 } });
  try {
    await a.connect(b.locals[0], b.hit);
    const seen: number[] = [];
    await moves(a, 12, 100, seen);
    assert.ok(Math.max(...seen) <= 5, `draining after each move: ${seen.join(" ")}`);
    for (let i = 0; i < 40 && draining(a) > 0; i++) await sleep(50);
    assert.equal(draining(a), 0);
    assert.equal(a.stats().transport?.sockets, 1);
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});

test("drainMax bounds the draining sockets: with 2, the oldest closes first; a reclaimed one is not closed", { timeout: 20_000 }, async () => {
  const rng = new SeededRng(92);
  const a = await startNodeHost({ identity: HostIdentity.generate(rng), listen: ["127.0.0.2:0"], hip: { puzzleK: 0 }, drainMs: 5000, drainMax: 2 });
  const b = await startNodeHost({ identity: HostIdentity.generate(rng), listen: ["127.0.0.1:0"], hip: { puzzleK: 0 } });
  try {
    await a.connect(b.locals[0], b.hit);
    const seen: number[] = [];
    await moves(a, 6, 10, seen);
    assert.deepEqual(seen, [1, 2, 2, 2, 2, 2]);
    // The newest draining address comes back: its socket is taken back, and stays open past drainMs' bound.
    const back = a.reclaimDrained({ ip: "127.0.14.2", port: 0 });
    assert.ok(back, "the socket of 127.0.14.2 still drains");
    await a.changeAddresses([back], []);
    assert.equal(draining(a), 1);
    assert.ok(a.locals.some((l) => l.ip === "127.0.14.2"));
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});
