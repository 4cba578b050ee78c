// A Deno host (src/runtime/deno.ts, test/deno/host-peer.ts) against a Node host
// (src/runtime/node.ts) on 127.0.0.1: base exchange and one datagram each way.
import assert from "node:assert/strict";
import { test } from "node:test";
import { cryptoRng } from "../../src/core/rng.ts";
import { hitFromString, hitToString } from "../../src/hip/hit.ts";
import { HostIdentity } from "../../src/hip/identity.ts";
import { startNodeHost } from "../../src/runtime/node.ts";
import { denoSkip, runDeno } from "../helpers/deno.ts";

test("deno host ↔ node host: base exchange and ESP both ways", { skip: denoSkip() }, async () => {
  const node = await startNodeHost({ identity: HostIdentity.generate(cryptoRng), listen: ["127.0.0.1:0"], hip: { puzzleK: 4 } });
  const got: string[] = [];
  const established: string[] = [];
  node.on("established", (ev) => established.push(hitToString(ev.peerHit)));
  node.on("message", (m) => {
    got.push(new TextDecoder().decode(m.data));
    node.send(m.peerHit, m.dstPort, m.srcPort, new TextEncoder().encode("hello deno, node here"));
  });
  try {
    const loc = node.locals[0];
    const r = await runDeno(["run", "--quiet", "--unstable-net", "--allow-net", "--allow-read", "--allow-env", "test/deno/host-peer.ts", hitToString(node.hit), loc.ip, String(loc.port)], { timeoutMs: 30_000 });
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout.trim().split("\n").pop()!) as Record<string, string>;
    assert.equal(out.error, undefined, out.error);
    assert.equal(out.established, hitToString(node.hit));
    assert.equal(out.reply, "hello deno, node here");
    assert.deepEqual(got, ["hello from deno"]);
    // The Node side (responder) was ESTABLISHED with the Deno host's HIT once ESP arrived; the
    // Deno host's close() at exit sent CLOSE (RFC 7401 §6.14), so no stale association remains.
    assert.deepEqual(established, [out.hit]);
    assert.equal(node.stack.host.association(hitFromString(out.hit)!)?.state, "CLOSED");
  } finally {
    await node.close();
  }
});
