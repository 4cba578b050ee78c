// ESP rekeying on the real stack (HostStack + WASM data plane) in the simulator: outbound SAs
// start near the end of the 32-bit sequence space (RFC 4303 §3.3.3); when a seal returns Rekey
// (or the proactive threshold is passed) the stack runs an UPDATE rekey (RFC 7402 §6.9) and the
// data keeps flowing both ways on the new SA pair, without loss.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Locator, Millis, Transmit } from "../../src/core/types.ts";
import { HipHost } from "../../src/hip/host.ts";
import { HostIdentity } from "../../src/hip/identity.ts";
import { HostStack, type StackEvent } from "../../src/runtime/stack.ts";
import { Simulator } from "../../src/sim/index.ts";
import type { SimEndpoint } from "../../src/sim/types.ts";
import "../../src/wasm/loader.ts"; // registers the embedded WASM module as the default (src/wasm/instantiate.ts)

const START_SEQ = 2 ** 32 - 20;

class Peer implements SimEndpoint {
  readonly stack: HostStack;
  readonly got: { n: number; spi: number }[] = [];
  readonly events: StackEvent[] = [];
  /** UPDATE packets of ours still to lose. */
  dropUpdates = 0;

  constructor(sim: Simulator, readonly loc: Locator, threshold: number) {
    const rng = sim.forkRng();
    const host = new HipHost({ identity: HostIdentity.generate(rng, "P-256"), rng });
    // Outbound SAs of the base exchange start near 2^32 (SaParams.initialSeq).
    const poll = host.pollEvent.bind(host);
    host.pollEvent = () => {
      const ev = poll();
      if (ev?.type === "sa-install") ev.outbound = { ...ev.outbound, initialSeq: START_SEQ };
      return ev;
    };
    this.stack = new HostStack({
      host,
      rekey: { threshold },
      onEvent: (ev) => {
        this.events.push(ev);
        if (ev.type === "message") this.got.push({ n: ev.data[0] | (ev.data[1] << 8), spi: ev.spi });
      },
    });
  }

  handleDatagram(now: Millis, data: Uint8Array, from: Locator, to: Locator): void {
    this.stack.handleDatagram(now, data, from, to);
  }
  handleTimeout(now: Millis): void {
    this.stack.handleTimeout(now);
  }
  pollTimeout(): Millis | undefined {
    return this.stack.pollTimeout();
  }
  pollTransmit(): Transmit | undefined {
    for (;;) {
      const t = this.stack.pollTransmit();
      const d = t?.data;
      if (d && this.dropUpdates > 0 && d[0] === 0 && d[1] === 0 && d[2] === 0 && d[3] === 0 && d[6] === 16) {
        this.dropUpdates--;
        continue;
      }
      return t;
    }
  }
}

function world(seed: number, threshold: number) {
  const sim = new Simulator({ seed, link: { latency: 10 } });
  const a = new Peer(sim, { ip: "10.0.0.1", port: 10500 }, threshold);
  const b = new Peer(sim, { ip: "10.0.0.2", port: 10500 }, threshold);
  sim.addNode("A", a, [a.loc]);
  sim.addNode("B", b, [b.loc]);
  sim.at(0, () => a.stack.connect(0, b.loc, b.stack.hit, a.loc));
  return { sim, a, b };
}

/** `count` datagrams from `x` to `y`, one every `every` ms from `start`. */
function flow(sim: Simulator, name: string, x: Peer, y: Peer, start: Millis, count: number, every: Millis): void {
  for (let i = 0; i < count; i++) {
    sim.at(start + i * every, () => {
      x.stack.send(y.stack.hit, 5000, 6000, new Uint8Array([i & 0xff, i >> 8, 7, 7]), sim.now);
      sim.kick(name);
    });
  }
}

function inOrder(p: Peer, count: number): void {
  assert.deepEqual(
    p.got.map((g) => g.n),
    Array.from({ length: count }, (_, i) => i),
  );
}

test("sequence space exhausted: seal returns Rekey, UPDATE rekey, data flows both ways without loss", () => {
  const { sim, a, b } = world(71, 2 ** 32);
  flow(sim, "A", a, b, 100, 60, 5);
  flow(sim, "B", b, a, 102, 60, 5);
  sim.runUntil(2000);
  inOrder(b, 60);
  inOrder(a, 60);
  const spisAtB = new Set(b.got.map((g) => g.spi));
  const spisAtA = new Set(a.got.map((g) => g.spi));
  assert.equal(spisAtB.size, 2, "old SA, then the new one");
  assert.equal(spisAtA.size, 2);
  assert.ok((a.stack.counters["esp.rekey.queued"] ?? 0) >= 1, "the exhausted datagram waited for the new SA");
  assert.equal(a.stack.counters["esp.drop.seal.Rekey"] ?? 0, 0, "none dropped");
  assert.equal(a.stack.update.counters["rekey.done"], 1);
  assert.equal(b.stack.update.counters["rekey.done"], 1);
  assert.equal(a.events.filter((e) => e.type === "sa-rekey").length, 1);
  // Old inbound SAs are retired after the in-flight packets: their SPIs are unknown later.
  const oldSpi = b.got[0].spi;
  assert.equal(a.stack.host.association(b.stack.hit)?.spiOut === oldSpi, false);
  assert.equal(a.stack.host.counters.drop ?? 0, 0);
  assert.equal(b.stack.host.counters.drop ?? 0, 0);
});

test("proactive rekey at the threshold: no seal ever fails", () => {
  const { sim, a, b } = world(72, 2 ** 32 - 12);
  flow(sim, "A", a, b, 100, 50, 10);
  flow(sim, "B", b, a, 105, 50, 10);
  sim.runUntil(2000);
  inOrder(b, 50);
  inOrder(a, 50);
  assert.equal(a.stack.counters["esp.rekey.queued"] ?? 0, 0);
  assert.equal(b.stack.counters["esp.rekey.queued"] ?? 0, 0);
  assert.equal(a.stack.counters["esp.drop.seal.Rekey"] ?? 0, 0);
  assert.equal(new Set(b.got.map((g) => g.spi)).size, 2);
  assert.equal(a.events.filter((e) => e.type === "sa-rekey").length, 1);
});

test("lost UPDATE: retransmitted, queued datagrams follow on the new SA", () => {
  const { sim, a, b } = world(73, 2 ** 32);
  a.dropUpdates = 1;
  flow(sim, "A", a, b, 100, 60, 20);
  sim.runUntil(5000);
  inOrder(b, 60);
  assert.equal(a.dropUpdates, 0);
  assert.equal(a.stack.update.counters["rekey.retransmit"], 1);
  assert.ok((a.stack.counters["esp.rekey.queued"] ?? 0) > 10, "datagrams waited during the retransmission");
  assert.equal(new Set(b.got.map((g) => g.spi)).size, 2);
  // Explicit rekey through the stack API works afterwards too.
  const before = a.stack.host.association(b.stack.hit)!.spiOut;
  assert.ok(a.stack.rekey(sim.now, b.stack.hit));
  sim.kick("A");
  sim.runUntil(sim.now + 500);
  assert.notEqual(a.stack.host.association(b.stack.hit)!.spiOut, before);
  assert.equal(a.stack.update.counters["rekey.done"], 2);
});
