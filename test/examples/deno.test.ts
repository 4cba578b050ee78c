// examples/deno, installed from the packed tarball and run with Deno: two UDP hosts, one with
// its ESP data plane in the package's module Worker, the other with a Worker that also owns its
// socket ("worker-io": dist/runtime/io-worker-deno.js loaded into that Worker). Every datagram
// of the worker-io host goes through its Worker, so the echoes prove that path works packaged.
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { denoSkip, runDeno } from "../helpers/deno.ts";
import { installProject, packPackage, repoRoot } from "../pkg/pack.ts";

test("examples/deno runs from the packed tarball (UDP, Worker data plane, worker-io)", { skip: denoSkip(), timeout: 360_000 }, async () => {
  const { tarball } = await packPackage();
  const dir = join(tmpdir(), `hipmm-ex-deno-${process.pid}`);
  try {
    installProject(dir, tarball, join(repoRoot, "examples/deno"));
    const r = await runDeno(["run", "--unstable-net", "--allow-net", "--allow-read", "main.ts"], { cwd: dir, timeoutMs: 60_000 });
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    const out = JSON.parse(r.stdout.trim().split("\n").at(-1)!) as { runtime: string; replies: string[] };
    assert.match(out.runtime, /^deno /);
    assert.deepEqual(out.replies, ["echo:one", "echo:three", "echo:two"]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
