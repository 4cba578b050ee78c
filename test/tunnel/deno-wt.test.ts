// The WebTransport tunnel without a browser: a TunnelHost in Deno (test/deno/fa-wt-host.ts,
// Deno's WebTransport client) → the Deno FA server → a Node UDP host. Lease, base exchange,
// a small and an oversized datagram (stream record) both ways.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { hex } from "../../src/core/bytes.ts";
import { hitToString } from "../../src/hip/hit.ts";
import { selfSignedCert } from "../helpers/cert.ts";
import { denoPath, denoSkip, runDeno } from "../helpers/deno.ts";
import { spawnFa, startEchoPeer } from "./harness.ts";

test("deno: WebTransport tunnel host ↔ Deno FA ↔ Node UDP host", { skip: denoSkip(), timeout: 30_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "hipmm-wt-"));
  const cert = selfSignedCert();
  writeFileSync(join(dir, "cert.pem"), cert.certPem);
  writeFileSync(join(dir, "key.pem"), cert.keyPem, { mode: 0o600 });
  const [fa, peer] = await Promise.all([
    spawnFa(denoPath, ["run", "--unstable-net", "-A", "src/cli/fa-deno.ts", "--udp", "127.0.0.1:0", "--wt", "127.0.0.1:0", "--cert", join(dir, "cert.pem"), "--key", join(dir, "key.pem"), "--puzzle", "off"]),
    startEchoPeer(),
  ]);
  try {
    const leased = fa.ready.udp[0];
    const args = [`https://127.0.0.1:${fa.ready.wt!.port}/hipmm`, hex(cert.sha256), `${leased.ip}:${leased.port}`, `${peer.locator.ip}:${peer.locator.port}`, hitToString(peer.host.hit)];
    const r = await runDeno(["run", "--unstable-net", "-A", "test/deno/fa-wt-host.ts", ...args], { timeoutMs: 20_000 });
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout.trim().split("\n").pop()!) as { ok: boolean; error?: string; replies: string[]; records: number; maxDatagramSize: number; lease: { locator: unknown } };
    assert.equal(out.error, undefined, `${out.error}\n${fa.lines.join("\n")}\n${fa.stderr()}`);
    assert.deepEqual([...out.replies].sort(), ["echo:hello from deno", `echo:${"y".repeat(1300)}`]);
    assert.deepEqual(out.lease.locator, leased);
    // Deno probes the loopback path MTU, so its datagram limit may exceed the frame: then no record.
    assert.equal(out.records, out.maxDatagramSize < 1300 + 100 ? 1 : 0, `records with a ${out.maxDatagramSize}-byte datagram limit`);
    assert.deepEqual(peer.established.map((e) => e.peer), [leased]);
    // The host released its lease and the session's end reached the FA core.
    for (let i = 0; i < 100 && !fa.lines.some((l) => l.includes('"tunnel closed"')); i++) await new Promise((res) => setTimeout(res, 20));
    assert.ok(fa.lines.some((l) => l.includes('"lease released"')), fa.lines.join("\n"));
    assert.ok(fa.lines.some((l) => l.includes('"tunnel closed"')), fa.lines.join("\n"));
  } finally {
    await fa.kill();
    await peer.host.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
