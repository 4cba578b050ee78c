// A Deno host (src/runtime/deno.ts, test/deno/close-peer.ts) closes its associations with two
// Node hosts on 127.0.0.1: closeAssociation() for one, close() for the other; each Node host sees
// "closed" (reason "peer", RFC 7401 §6.14) instead of keeping a stale association.
import assert from "node:assert/strict";
import { test } from "node:test";
import { cryptoRng } from "../../src/core/rng.ts";
import { hitFromString, hitToString } from "../../src/hip/hit.ts";
import { HostIdentity } from "../../src/hip/identity.ts";
import { startNodeHost } from "../../src/runtime/node.ts";
import { denoSkip, runDeno } from "../helpers/deno.ts";

test("deno host: closeAssociation() and close() send CLOSE; the node peers see the association closed", { skip: denoSkip() }, async () => {
  const peers = await Promise.all([0, 1].map(() => startNodeHost({ identity: HostIdentity.generate(cryptoRng), listen: ["127.0.0.1:0"], hip: { puzzleK: 1 } })));
  const closed = peers.map((p) => {
    const out: string[] = [];
    p.on("closed", (ev) => out.push(`${hitToString(ev.peerHit)} ${ev.reason}`));
    return out;
  });
  try {
    const args = peers.flatMap((p) => [hitToString(p.hit), p.locals[0].ip, String(p.locals[0].port)]);
    const r = await runDeno(["run", "--quiet", "--unstable-net", "--allow-net", "--allow-read", "--allow-env", "test/deno/close-peer.ts", ...args], { timeoutMs: 30_000 });
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout.trim().split("\n").pop()!) as { hit: string; error?: string; firstClosed: boolean; secondOpen: boolean; closeSent: number };
    assert.equal(out.error, undefined, out.error);
    assert.equal(out.firstClosed, true, "CLOSE_ACK from the first peer");
    assert.equal(out.secondOpen, true, "the second association stayed up until close()");
    assert.equal(out.closeSent, 2, "one CLOSE per association");
    assert.deepEqual(closed, [[`${out.hit} peer`], [`${out.hit} peer`]]);
    const denoHit = hitFromString(out.hit)!;
    for (const p of peers) assert.ok(!["R2-SENT", "ESTABLISHED"].includes(p.stack.host.association(denoHit)?.state ?? ""), "no stale association");
  } finally {
    await Promise.all(peers.map((p) => p.close()));
  }
});
