// examples/vite-app, installed from the packed tarball, built with `vite build` (no config: the
// ESP Worker must come out as its own chunk), served, and run in Chromium: a WebSocket tunnel
// to `hipmm fa --ws`, a lease, a base exchange with a Node UDP host, datagrams both ways.
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { build } from "vite";
import { hitToString } from "../../src/hip/hit.ts";
import { chromiumSkip, serveStatic, withChromium } from "../helpers/browser.ts";
import { installProject, packPackage, repoRoot } from "../pkg/pack.ts";
import { freeUdpPort, spawnFa, startEchoPeer } from "../tunnel/harness.ts";

test("examples/vite-app: vite build emits the Worker; the page talks HIP through hipmm fa --ws", { skip: chromiumSkip(), timeout: 360_000 }, async () => {
  const { tarball } = await packPackage();
  const dir = mkdtempSync(join(tmpdir(), "hipmm-ex-vite-"));
  try {
    installProject(dir, tarball, join(repoRoot, "examples/vite-app"));
    await build({ root: dir, configFile: false, logLevel: "warn", build: { outDir: join(dir, "dist"), emptyOutDir: true } });
    const assets = readdirSync(join(dir, "dist", "assets"));
    const workers = assets.filter((f) => /^worker-.*\.js$/.test(f));
    assert.equal(workers.length, 1, `one worker chunk in ${assets.join(", ")}`);
    const main = assets.filter((f) => f.endsWith(".js") && !workers.includes(f)).map((f) => readFileSync(join(dir, "dist", "assets", f), "utf8")).join("\n");
    assert.ok(main.includes(workers[0]), "the page's script names the emitted worker chunk");
    assert.ok(!main.includes("data:text/javascript"), "no unbundled copy of the worker inlined as an asset");
    console.log(`# vite build: ${assets.join(", ")}`);

    const site = await serveStatic(join(dir, "dist"));
    const port = await freeUdpPort();
    const fa = await spawnFa(process.execPath, ["--import", "tsx", "test/fa/fixtures/fa-cli.ts", "--id", join(dir, "fa.key"), "--udp", `127.0.0.1:${port}`, "--ws", "127.0.0.1:0", "--puzzle", "off", "--log", "json"]);
    const peer = await startEchoPeer();
    try {
      type PageResult = { ok: boolean; error?: string; replies: string[]; leased?: string[] };
      const runPage = async (): Promise<PageResult> => {
        let r: PageResult | undefined;
        await withChromium(
          async (page) => {
            const q = new URLSearchParams({ ws: `ws://127.0.0.1:${fa.ready.ws!.port}`, fa: `127.0.0.1:${port}`, peer: `${peer.locator.ip}:${peer.locator.port}`, peerHit: hitToString(peer.host.hit) });
            await page.goto(`${site.origin}?${q}`);
            await page.waitForFunction(() => (window as { hipmmExample?: unknown }).hipmmExample !== undefined, null, { timeout: 25_000 });
            r = (await page.evaluate(() => (window as { hipmmExample?: unknown }).hipmmExample)) as PageResult;
          },
          { timeoutMs: 30_000 },
        );
        return r!;
      };
      const r = await runPage();
      assert.equal(r?.error, undefined, JSON.stringify(r));
      assert.ok(r?.ok);
      assert.deepEqual(r.leased, [`127.0.0.1:${port}`]);
      assert.deepEqual([...r.replies].sort(), ["echo:hello from a Vite app", "echo:second datagram", "echo:third"]);
      assert.deepEqual(peer.established.map((e) => e.peer), [{ ip: "127.0.0.1", port }], "the UDP host saw the page at the leased locator");
      // Without its chunk the Worker cannot start: the error names the script's URL and the cause.
      rmSync(join(dir, "dist", "assets", workers[0]));
      const broken = await runPage();
      assert.ok(!broken.ok);
      assert.match(broken.error ?? "", new RegExp(`^ESP worker http://127\\.0\\.0\\.1:\\d+/assets/${workers[0].replace(/\./g, "\\.")} failed to start: the script did not load`), JSON.stringify(broken));
      console.log(`# missing worker chunk: ${broken.error}`);
    } finally {
      await fa.kill();
      await peer.host.close();
      await site.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
