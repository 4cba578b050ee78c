// A HIP host in workerd (test/workerd/tunnel-worker.ts on src/runtime/edge.ts): per request it
// opens a WebSocket tunnel to the Deno FA server (--ws), leases a locator, runs a base exchange
// with a Node UDP host through the FA and exchanges datagrams both ways.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { before, test } from "node:test";
import { hitToString } from "../../src/hip/hit.ts";
import type { ExchangeResult } from "../../web/tunnel/exchange.ts";
import { denoPath, denoSkip } from "../helpers/deno.ts";
import { bundleWorker, startWorkerd, workerdSkip } from "../helpers/workerd.ts";
import { repoRoot, spawnFa, startEchoPeer } from "./harness.ts";

const skip = workerdSkip() || denoSkip();

before(async () => {
  if (skip) return;
  const r = spawnSync(process.execPath, ["scripts/build-wasm.mjs"], { cwd: repoRoot, encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  await bundleWorker(join(repoRoot, "test/workerd/tunnel-worker.ts"), join(repoRoot, ".tmp/workerd/tunnel-worker.js"));
});

test("workerd: a Worker runs a HIP host over a WebSocket tunnel to the FA and talks ESP with a UDP host", { skip, timeout: 30_000 }, async () => {
  const t0 = performance.now();
  const [fa, w, peer] = await Promise.all([
    spawnFa(denoPath, ["run", "--unstable-net", "-A", "src/cli/fa-deno.ts", "--udp", "127.0.0.1:0", "--ws", "127.0.0.1:0", "--puzzle", "off"]),
    startWorkerd(join(repoRoot, "test/workerd/tunnel-config.capnp")),
    startEchoPeer(),
  ]);
  try {
    const leased = fa.ready.udp[0];
    const q = new URLSearchParams({
      url: `ws://127.0.0.1:${fa.ready.ws!.port}/`,
      fa: `${leased.ip}:${leased.port}`,
      peer: `${peer.locator.ip}:${peer.locator.port}`,
      peerHit: hitToString(peer.host.hit),
      messages: "hello from a worker,second",
    });
    const res = await fetch(`${w.url}/exchange?${q}`, { signal: AbortSignal.timeout(20_000) });
    const r = (await res.json()) as ExchangeResult & { runtime: string };
    assert.equal(r.error, undefined, `${JSON.stringify(r)}\n${w.output()}\n${fa.lines.join("\n")}`);
    assert.equal(r.runtime, "workerd");
    assert.deepEqual(r.lease?.locator, leased);
    assert.equal(r.established, hitToString(peer.host.hit));
    assert.deepEqual([...r.replies!].sort(), ["echo:hello from a worker", "echo:second"]);
    assert.deepEqual(peer.established.map((e) => e.peer), [leased], "the UDP host saw the Worker at the leased locator");
    assert.deepEqual(peer.got.map((m) => m.from), [leased, leased]);
    console.log(`# workerd: base exchange ${r.bexMs} ms, round trips ${r.rttMs} ms, test ${Math.round(performance.now() - t0)} ms`);
  } finally {
    await Promise.all([fa.kill(), w.stop(), peer.host.close()]);
  }
});
