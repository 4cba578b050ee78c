// dataPlane "worker-io" on Deno (src/runtime/io-worker-deno.ts): the Deno host's ESP Worker owns
// its Deno.listenDatagram socket, opens inbound ESP there and sends what it seals from there. A
// Node host (inline data plane) echoes COUNT datagrams of 1000 B, sent in bursts of 16 with one
// burst unanswered at most; the Deno side checks every echo and reports what its Worker opened
// itself (test/deno/worker-io-peer.ts).
import assert from "node:assert/strict";
import { test } from "node:test";
import { cryptoRng } from "../../src/core/rng.ts";
import { hitToString } from "../../src/hip/hit.ts";
import { HostIdentity } from "../../src/hip/identity.ts";
import { startNodeHost } from "../../src/runtime/node.ts";
import { denoSkip, runDeno } from "../helpers/deno.ts";

const COUNT = 400;

test("deno host with dataPlane worker-io ↔ node host: the Worker opens and sends the ESP traffic", { skip: denoSkip() }, async () => {
  const node = await startNodeHost({ identity: HostIdentity.generate(cryptoRng), listen: ["127.0.0.1:0"], hip: { puzzleK: 4 } });
  let received = 0;
  node.on("message", (m) => {
    received++;
    node.send(m.peerHit, m.dstPort, m.srcPort, m.data);
  });
  try {
    const loc = node.locals[0];
    const r = await runDeno(
      ["run", "--quiet", "--unstable-net", "--allow-net", "--allow-read", "--allow-env", "test/deno/worker-io-peer.ts", hitToString(node.hit), loc.ip, String(loc.port), String(COUNT), "16"],
      { timeoutMs: 40_000 },
    );
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout.trim().split("\n").pop()!) as {
      error?: string; established: string; echoes: number; bad: number;
      io: { opened: number; openedBatches: number; raw: number; drops: Record<string, number> };
    };
    assert.equal(out.error, undefined, out.error);
    assert.equal(out.established, hitToString(node.hit));
    assert.equal(out.bad, 0, "echoes arrive intact");
    // Loopback with a window: everything arrives.
    assert.equal(received, COUNT, `node received ${received} of ${COUNT}`);
    assert.equal(out.echoes, COUNT, `deno got ${out.echoes} echoes of ${COUNT}`);
    // The Worker opened every echo itself, in batches; only HIP control crossed raw.
    assert.ok(out.io.opened >= COUNT, `worker opened ${out.io.opened}`);
    assert.ok(out.io.openedBatches >= 1 && out.io.openedBatches <= out.io.opened);
    assert.ok(out.io.raw <= 8, `raw datagrams to the main thread: ${out.io.raw}`);
    assert.deepEqual(out.io.drops, {});
  } finally {
    await node.close();
  }
});
