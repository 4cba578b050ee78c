// ESP rekeying (UPDATE, RFC 7402 §6.9-§6.10) on real UDP sockets in every data plane: a low rekey
// threshold, datagrams both ways, nothing lost and nothing out of order. Three defects this found:
// - the old inbound SA was retired as soon as it had no missing sequence numbers, while the peer
//   still sealed on the old pair until its own switch (one round trip later): those were dropped
//   as `esp.unknown-spi`;
// - with a Worker data plane the threshold was never seen (the sequence numbers are the Worker's),
//   so the SAs were used up to the 32-bit limit and the datagram that hit it was lost;
// - worker-io delivered bursts out of order at an SA switch: the peer's first datagrams on the
//   replier's new inbound SA reached the replier's Worker before it had installed that SA, went up
//   raw and were opened by a round of the main thread, while later ones, opened in the Worker,
//   overtook them (the last test makes that happen every time).
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { test } from "node:test";
import { SeededRng } from "../../src/core/rng.ts";
import { HostIdentity } from "../../src/hip/identity.ts";
import type { RuntimeHost } from "../../src/runtime/host.ts";
import { startNodeHost } from "../../src/runtime/node.ts";
import { denoPath, denoSkip } from "../helpers/deno.ts";

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
      assert.deepEqual(got.get(b), all, "A → B");
      assert.deepEqual(got.get(a), all, "B → A");
      const update = a.stats().update as Record<string, number>;
      if (newDh) assert.equal(update["rekey.dh"], update["rekey.started"], "each rekey with a new Diffie-Hellman");
      assert.deepEqual(a.stats().drops, {});
      assert.deepEqual(b.stats().drops, {});
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
}

// The replier in a process of its own (test/runtime/fixtures/slow-replier-core.ts; on Node and on
// Deno, whose Worker owns a Deno socket) stalls its main thread for 30 ms right after each answer,
// before its ESP runner installs the new inbound SA in the Worker: the datagrams A sends on that SA
// meanwhile all reach B's Worker unknown and go up raw. The old code delivered 4-6 bursts of them
// late (after later datagrams the Worker opened).
const replierCmd = {
  node: () => [process.execPath, ["--import", "tsx", join(import.meta.dirname, "fixtures/slow-replier.ts")]] as const,
  deno: () => [denoPath, ["run", "--quiet", "--unstable-net", "--allow-net", "--allow-read", "--allow-env", join(import.meta.dirname, "../deno/slow-replier.ts")]] as const,
};
for (const runtime of ["node", "deno"] as const) {
  test(`rekey (worker-io replier on ${runtime} that stalls after answering): the datagrams its Worker could not open yet keep their place`, { timeout: 60_000, skip: runtime === "deno" && denoSkip() }, async () => {
    const n = 1400;
    const [cmd, args] = replierCmd[runtime]();
    const child = spawn(cmd, [...args, String(n), "30"], { stdio: ["ignore", "pipe", "inherit"] });
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const a = await startNodeHost({ identity: HostIdentity.generate(new SeededRng(8)), listen: ["127.0.0.1:0"], hip: { puzzleK: 0 }, rekey: { threshold: 200, newDh: "always" } });
    try {
      const up = JSON.parse((await lines.next()).value as string) as { port: number };
      const peer = await a.connect({ ip: "127.0.0.1", port: up.port });
      let rekeys = 0;
      a.on("event", (ev) => {
        if (ev.type === "sa-rekey") rekeys++;
      });
      for (let i = 0; i < n; i++) {
        const d = new Uint8Array(64);
        new DataView(d.buffer).setUint32(0, i);
        assert.equal(a.send(peer, 1, 2, d), "sent");
        if (i % 16 === 15) await new Promise((r) => setTimeout(r, 2));
      }
      const r = JSON.parse((await lines.next()).value as string) as { received: number; descents: number; doubled: number; stalls: number; raw: number; held: number; drops: Record<string, number> };
      assert.ok(rekeys >= 3 && r.stalls >= 3, `rekeys ${rekeys}, stalls ${r.stalls}`);
      // More went up raw than the HIP packets (two per rekey, two of the base exchange): ESP did.
      assert.ok(r.raw > 2 * r.stalls + 8, `raw ${r.raw}`);
      assert.deepEqual({ received: r.received, descents: r.descents, doubled: r.doubled, drops: r.drops }, { received: n, descents: 0, doubled: 0, drops: {} }, `held batches: ${r.held}`);
    } finally {
      child.kill();
      await a.close();
    }
  });
}
