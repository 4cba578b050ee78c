// examples/node, installed from the packed tarball into a fresh project and run with Node:
// two hosts, a base exchange, datagrams, a move 127.0.0.1 → 127.0.0.2.
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { runProcess } from "../helpers/process.ts";
import { installProject, packPackage, repoRoot } from "../pkg/pack.ts";

test("examples/node runs from the packed tarball: data, a move, data again", { timeout: 360_000 }, async () => {
  const { tarball } = await packPackage();
  const dir = join(tmpdir(), `hipmm-ex-node-${process.pid}`);
  try {
    installProject(dir, tarball, join(repoRoot, "examples/node"));
    const r = await runProcess(process.execPath, ["main.js"], { cwd: dir, timeoutMs: 30_000 });
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    const out = JSON.parse(r.stdout.trim().split("\n").at(-1)!) as Record<string, unknown>;
    assert.deepEqual(out.replies, ["echo:hello", "echo:after the move"]);
    assert.match(String(out.before), /^127\.0\.0\.1:\d+$/);
    assert.deepEqual((out.after as string[]).map((l) => l.split(":")[0]), ["127.0.0.2"]);
    assert.match(String(out.bSawMoveTo), /^127\.0\.0\.2:\d+$/);
    assert.equal(out.lastFrom, out.bSawMoveTo, "B's last datagram came from A's new locator");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
