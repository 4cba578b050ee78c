// Rekeying seen from outside: two `hipmm host` processes on loopback, A with `--rekey-after 20`
// (and `--rekey-dh always` in the second test: a new Diffie-Hellman and KEYMAT each time, RFC 7402
// §6.10), 120 lines to B's echo. tshark, an independent decoder, reads A's capture with the keys
// A exported (`--esp-sa`): every ESP packet, before and after each rekey and both ways, must have
// a good ICV and decrypt to a line. Found: the keys of a rekey's outbound SA (and, with a new
// Diffie-Hellman, of the requester's inbound SA) never reached the --esp-sa file.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { keygenFiles, Proc } from "../helpers/proc.ts";
import { repoRoot, tsharkFields, tsharkSkip } from "../helpers/tshark.ts";
import { checkSessionPcap } from "./session-check.ts";

const BIN = join(repoRoot, "bin", "hipmm.js");
const built = existsSync(join(repoRoot, "dist", "cli", "main.js"));
const LINES = 120;

for (const dh of [undefined, "always"] as const) {
  test(`tshark decrypts every ESP packet across rekeys (--rekey-after 20${dh ? ", --rekey-dh always" : ""})`, { skip: tsharkSkip() || (!built && "run npm run build first"), timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "hipmm-rekey-"));
    const procs: Proc[] = [];
    try {
      const { keys, hits } = keygenFiles(BIN, dir, ["a.key", "b.key"]);
      const b = new Proc([BIN, "host", "--id", keys[1], "--listen", "127.0.0.1:0", "--k", "2", "--echo", "--no-stdin", "--output", "lines"]);
      procs.push(b);
      const port = (await b.waitFor("err", /listening on 127\.0\.0\.1:(\d+)/))[1];
      const pcap = join(dir, "a.pcap");
      const espSa = join(dir, "a.esp_sa");
      const a = new Proc([BIN, "host", "--id", keys[0], "--listen", "127.0.0.1:0", "--connect", `${hits[1]}@127.0.0.1:${port}`, "--output", "lines", "--rekey-after", "20", ...(dh ? ["--rekey-dh", dh] : []), "--pcap", pcap, "--esp-sa", espSa, "--stats", "0.2"]);
      procs.push(a);
      await a.waitFor("err", /established/);
      // A line every 5 ms: each rekey completes while lines keep coming (the old SAs retire under traffic).
      for (let i = 0; i < LINES; i++) {
        a.child.stdin.write(`line ${i}\n`);
        await new Promise((r) => setTimeout(r, 5));
      }
      await a.waitFor("out", new RegExp(`line ${LINES - 1}\\n`), 10_000);
      await a.waitFor("err", /"rekey\.done":[5-9]/, 5_000); // the next stats line counts them
      a.child.stdin.end();
      assert.equal(await a.exited, 0, a.err);
      b.kill();
      const got = a.out.split("\n").filter(Boolean);
      assert.deepEqual(got, Array.from({ length: LINES }, (_, i) => `line ${i}`), "every echo, in order");
      // Each rekey is a new SA pair: its keys are in the file once, the base exchange's pair too.
      const saLines = readFileSync(espSa, "utf8").split("\n").filter(Boolean);
      assert.ok(saLines.length >= 2 * 6, `esp_sa lines: ${saLines.length}`);
      const { esp } = await checkSessionPcap(pcap, espSa, /line 119/);
      assert.ok(esp >= 2 * LINES, `ESP packets: ${esp}`);
      // The UPDATEs as tshark reads them: with --rekey-dh always, request and reply carry
      // DIFFIE_HELLMAN; never a malformed packet.
      const rows = await tsharkFields(pcap, ["hip.type", "_ws.malformed"], { args: ["-d", `udp.port==${port},hipmm_udp`], lua: [join(repoRoot, "test", "tshark", "esp-demux.lua")], timeoutMs: 20_000 });
      assert.ok(rows.every(([, bad]) => bad.length === 0), "no malformed packet");
      const stats = JSON.parse(a.err.split("\n").filter((l) => l.startsWith("{")).at(-1) ?? "{}") as { update?: Record<string, number>; drops?: Record<string, number> };
      // A status line per rekey, at most one per second (the rest are counted into the next).
      assert.match(a.err, /hipmm: new ESP keys with [0-9a-f:]+: in 0x[0-9a-f]+, out 0x[0-9a-f]+ \(UPDATE rekey\)/);
      const shown = a.err.split("\n").filter((l) => l.includes("new ESP keys")).map((l) => 1 + Number(/\(\+(\d+) more/.exec(l)?.[1] ?? 0));
      assert.ok(shown.reduce((x, y) => x + y, 0) <= (stats.update?.["rekey.done"] ?? 0), `${shown} vs ${stats.update?.["rekey.done"]}`);
      if (dh) assert.equal(stats.update?.["rekey.dh"], stats.update?.["rekey.started"], JSON.stringify(stats.update));
      else assert.equal(stats.update?.["rekey.dh"], undefined);
      assert.deepEqual(stats.drops, {});
    } finally {
      for (const p of procs) p.kill();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
