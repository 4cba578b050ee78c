// examples/browser-webtransport, installed from the packed tarball: its cert.sh makes the
// certificate (openssl), its fa.ts runs the package's Deno FA with WebTransport, the page is
// built with `vite build` and run in Chromium, pinning the certificate by its hash.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { build } from "vite";
import { hitToString } from "../../src/hip/hit.ts";
import { chromiumSkip, serveStatic, withChromium } from "../helpers/browser.ts";
import { denoPath, denoSkip } from "../helpers/deno.ts";
import { installProject, packPackage, repoRoot } from "../pkg/pack.ts";
import { spawnFa, startEchoPeer } from "../tunnel/harness.ts";

test("examples/browser-webtransport: cert.sh, the Deno FA over WebTransport, a Vite page in Chromium", { skip: chromiumSkip() || denoSkip(), timeout: 360_000 }, async () => {
  const { tarball } = await packPackage();
  const dir = mkdtempSync(join(tmpdir(), "hipmm-ex-wt-"));
  try {
    installProject(dir, tarball, join(repoRoot, "examples/browser-webtransport"));
    const c = spawnSync("sh", ["cert.sh", "127.0.0.1"], { cwd: dir, encoding: "utf8", timeout: 30_000 });
    assert.equal(c.status, 0, c.stderr);
    const hash = readFileSync(join(dir, "cert.sha256"), "utf8").trim();
    assert.match(hash, /^[0-9a-f]{64}$/);
    assert.equal(statSync(join(dir, "key.pem")).mode & 0o777, 0o600, "the private key is 0600");
    await build({ root: dir, configFile: false, logLevel: "warn", build: { outDir: join(dir, "dist"), emptyOutDir: true } });

    const site = await serveStatic(join(dir, "dist"));
    const fa = await spawnFa(denoPath, ["run", "--unstable-net", "-A", "fa.ts", "--udp", "127.0.0.1:0", "--wt", "127.0.0.1:0", "--cert", "cert.pem", "--key", "key.pem", "--puzzle", "off"], 30_000, dir);
    const peer = await startEchoPeer();
    try {
      const leased = fa.ready.udp[0];
      let r: { ok: boolean; error?: string; replies: string[]; leased?: string[]; tunnel?: string } | undefined;
      await withChromium(
        async (page) => {
          const q = new URLSearchParams({ wt: `https://127.0.0.1:${fa.ready.wt!.port}/hipmm`, hash, fa: `${leased.ip}:${leased.port}`, peer: `${peer.locator.ip}:${peer.locator.port}`, peerHit: hitToString(peer.host.hit) });
          await page.goto(`${site.origin}?${q}`);
          await page.waitForFunction(() => (window as { hipmmExample?: unknown }).hipmmExample !== undefined, null, { timeout: 25_000 });
          r = (await page.evaluate(() => (window as { hipmmExample?: unknown }).hipmmExample)) as typeof r;
        },
        { timeoutMs: 30_000 },
      );
      assert.equal(r?.error, undefined, `${JSON.stringify(r)}\n${fa.lines.join("\n")}\n${fa.stderr()}`);
      assert.equal(r?.tunnel, "webtransport");
      assert.deepEqual(r?.leased, [`${leased.ip}:${leased.port}`]);
      assert.deepEqual([...r!.replies].sort(), ["echo:hello over WebTransport", "echo:second datagram"]);
      assert.deepEqual(peer.established.map((e) => e.peer), [leased], "the UDP host saw the page at the leased locator");
    } finally {
      await fa.kill();
      await peer.host.close();
      await site.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
