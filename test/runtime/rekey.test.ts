// ESP rekeying (UPDATE, RFC 7402 §6.9-§6.10) on real UDP sockets in every data plane: a low rekey
// threshold, datagrams both ways, nothing lost and nothing out of order (worker-io: but at an SA
// switch, see below). Two defects this found:
// - the old inbound SA was retired as soon as it had no missing sequence numbers, while the peer
//   still sealed on the old pair until its own switch (one round trip later): those were dropped
//   as `esp.unknown-spi`;
// - with a Worker data plane the threshold was never seen (the sequence numbers are the Worker's),
//   so the SAs were used up to the 32-bit limit and the datagram that hit it was lost.
import assert from "node:assert/strict";
import { test } from "node:test";
import { SeededRng } from "../../src/core/rng.ts";
import { HostIdentity } from "../../src/hip/identity.ts";
import type { RuntimeHost } from "../../src/runtime/host.ts";
import { startNodeHost } from "../../src/runtime/node.ts";

const num = (d: Uint8Array) => new DataView(d.buffer, d.byteOffset).getUint32(0);

const planes = ["inline", "worker", "worker-io"] as const;
// newDh "always": every rekey brings a new Diffie-Hellman (RFC 7402 §6.10), and each side switches
// to the new KEYMAT when its rekey completes.
for (const [dataPlane, newDh] of [...planes.map((p) => [p, undefined] as const), ["inline", "always"] as const, ["worker-io", "always"] as const]) {
  test(`rekey (${dataPlane}${newDh ? ", new Diffie-Hellman each time" : ""}): every 200 datagrams, while both sides send; nothing lost, all in order`, { timeout: 30_000 }, async () => {
    const rng = new SeededRng(93);
    const dp = dataPlane === "inline" ? undefined : dataPlane;
    // Only A reaches its threshold: A requests every rekey, B answers and switches one round trip later.
    const a = await startNodeHost({ identity: HostIdentity.generate(rng), listen: ["127.0.0.1:0"], hip: { puzzleK: 0 }, dataPlane: dp, rekey: { threshold: 200, newDh } });
    const b = await startNodeHost({ identity: HostIdentity.generate(rng), listen: ["127.0.0.1:0"], hip: { puzzleK: 0 }, dataPlane: dp });
    try {
      await a.connect(b.locals[0], b.hit);
      const got = new Map<RuntimeHost, number[]>([[a, []], [b, []]]);
      for (const h of [a, b]) h.on("message", (m) => got.get(h)?.push(num(m.data)));
      let rekeys = 0;
      a.on("event", (ev) => {
        if (ev.type === "sa-rekey") rekeys++;
      });
      // A rekey switches a round trip after the threshold (longer with a Worker on a busy machine):
      // 1400 datagrams leave room for three of them however slow that is.
      const n = 1400;
      for (let i = 0; i < n; i++) {
        const d = new Uint8Array(64);
        new DataView(d.buffer).setUint32(0, i);
        assert.equal(a.send(b.hit, 1, 2, d), "sent");
        assert.equal(b.send(a.hit, 1, 2, d), "sent");
        if (i % 16 === 15) await new Promise((r) => setTimeout(r, 2));
      }
      for (let t = 0; t < 100 && (got.get(a)!.length < n || got.get(b)!.length < n); t++) await new Promise((r) => setTimeout(r, 20));
      const all = Array.from({ length: n }, (_, i) => i);
      assert.ok(rekeys >= 3, `rekeys: ${rekeys}`);
      if (dataPlane === "worker-io") {
        // Nothing lost, nothing twice; order kept but at an SA switch: there the first datagrams on
        // the new inbound SA can reach the replier's Worker before the Worker has installed that SA
        // (the main thread's control message and the peer's packets travel separately); they go the
        // main thread's way and arrive after later ones (seen once in a full test run, under load).
        for (const [h, what] of [[b, "A → B"], [a, "B → A"]] as const) {
          const g = got.get(h)!;
          assert.deepEqual([...g].sort((x, y) => x - y), all, what);
          const descents = g.filter((v, i) => i > 0 && v < g[i - 1]).length;
          // The unknown-SPI datagrams of one switch may come up in more than one batch: a few places.
          assert.ok(descents <= 4 * rekeys, `${what}: out of order at ${descents} places, ${rekeys} rekeys`);
        }
      } else {
        assert.deepEqual(got.get(b), all, "A → B");
        assert.deepEqual(got.get(a), all, "B → A");
      }
      const update = a.stats().update as Record<string, number>;
      if (newDh) assert.equal(update["rekey.dh"], update["rekey.started"], "each rekey with a new Diffie-Hellman");
      assert.deepEqual(a.stats().drops, {});
      assert.deepEqual(b.stats().drops, {});
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
}
