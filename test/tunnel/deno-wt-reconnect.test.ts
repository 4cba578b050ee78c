// The WebTransport tunnel comes back (issue 11 item 6) without a browser: a tunnel host in Deno
// (test/deno/fa-wt-reconnect-host.ts, connectTunnelHost over Deno's WebTransport client) ↔ the
// Deno FA server (src/cli/fa-deno.ts) ↔ a Node UDP host. The FA (in-memory leases) is SIGKILLed and restarted on the
// same ports with the same identity: the QUIC session ends silently, the host's PINGs go
// unanswered, it reopens WebTransport, the restarted FA no longer knows the lease (UNKNOWN_LEASE),
// a new one is granted and announced by REA; the script sees one path-changed and an echo again.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { hex } from "../../src/core/bytes.ts";
import { hitToString } from "../../src/hip/hit.ts";
import { selfSignedCert } from "../helpers/cert.ts";
import { denoPath, denoSkip } from "../helpers/deno.ts";
import { type FaProcess, freeUdpPort, repoRoot, spawnFa, startEchoPeer } from "./harness.ts";

test("deno: WebTransport tunnel host whose Deno FA is SIGKILLed and restarted comes back by itself (new lease, one path-changed)", { skip: denoSkip(), timeout: 90_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "hipmm-wt-reconnect-"));
  const cert = selfSignedCert();
  writeFileSync(join(dir, "cert.pem"), cert.certPem);
  writeFileSync(join(dir, "key.pem"), cert.keyPem, { mode: 0o600 });
  const [udp, wt] = [await freeUdpPort(), await freeUdpPort()];
  const faArgs = ["run", "--unstable-net", "-A", "src/cli/fa-deno.ts", "--udp", `127.0.0.1:${udp}`, "--wt", `127.0.0.1:${wt}`, "--cert", join(dir, "cert.pem"), "--key", join(dir, "key.pem"), "--id", join(dir, "fa.key"), "--puzzle", "off"];
  let fa: FaProcess = await spawnFa(denoPath, faArgs);
  const peer = await startEchoPeer();
  const host = spawn(denoPath, ["run", "--unstable-net", "-A", "test/deno/fa-wt-reconnect-host.ts", `https://127.0.0.1:${wt}/hipmm`, hex(cert.sha256), `127.0.0.1:${udp}`, `${peer.locator.ip}:${peer.locator.port}`, hitToString(peer.host.hit)], {
    cwd: repoRoot,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" },
  });
  const lines: string[] = [];
  let err = "";
  host.stdout.setEncoding("utf8").on("data", (d: string) => lines.push(...d.split("\n").filter(Boolean)));
  host.stderr.setEncoding("utf8").on("data", (d: string) => {
    err += d;
  });
  const waitLine = async (pred: (o: Record<string, unknown>) => boolean, ms: number) => {
    const end = Date.now() + ms;
    for (;;) {
      const hit = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find(pred);
      if (hit) return hit;
      if (Date.now() > end || host.exitCode !== null) throw new Error(`no such line from the Deno host within ${ms} ms: ${lines.join("\n")}\n${err}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  try {
    const first = await waitLine((o) => o.phase === "first-done" || o.error !== undefined, 30_000);
    assert.equal(first.ok, true, JSON.stringify(first));
    assert.equal(first.kind, "webtransport");
    await fa.kill();
    fa = await spawnFa(denoPath, faArgs);
    const out = await waitLine((o) => o.phase === undefined, 45_000);
    assert.equal(out.error, undefined, `${JSON.stringify(out)}\n${err}`);
    assert.ok(out.ok, JSON.stringify(out));
    const changes = out.changes as { kind: string; leaseChanged: boolean; faChanged: boolean; outageMs: number; reason: string }[];
    assert.equal(changes.length, 1, JSON.stringify(changes));
    assert.equal(changes[0].kind, "webtransport");
    assert.equal(changes[0].faChanged, false);
    console.log(`# deno wt: back after ${changes[0].outageMs} ms (${changes[0].reason}); new SPI range: ${changes[0].leaseChanged}`);
    assert.match((out.echoes as string[])[0], /^echo:after the drop \d+$/);
  } finally {
    host.kill("SIGKILL");
    await fa.kill();
    await peer.host.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
