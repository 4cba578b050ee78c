// Two `hipmm host` processes (node bin/hipmm.js, from dist/: run `npm run build` first) on
// 127.0.0.1 establish an association and carry stdin lines both ways.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { Proc as BaseProc, keygenFiles } from "../helpers/proc.ts";
import { tsharkSkip } from "../helpers/tshark.ts";
import { checkSessionPcap } from "../tshark/session-check.ts";
import { readPcapFile } from "../../src/capture/pcap-file.ts";

const BIN = join(import.meta.dirname, "..", "..", "bin", "hipmm.js");
const DIST = join(import.meta.dirname, "..", "..", "dist", "cli", "host.js");

class Proc extends BaseProc {
  constructor(args: string[]) {
    super([BIN, ...args], 8000);
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([p, new Promise<T>((_, rej) => setTimeout(() => rej(new Error(`timeout: ${what}`)), ms))]);
}

test("two hipmm host processes: base exchange, then lines both ways", { skip: existsSync(DIST) ? false : "dist/ missing: npm run build" }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "hipmm-e2e-"));
  const procs: Proc[] = [];
  try {
    const { keys, hits } = keygenFiles(BIN, dir, ["a.key", "b.key"]);
    assert.match(hits[0], /^2001:2[0-9a-f]:/);

    const b = new Proc(["host", "--id", keys[1], "--listen", "127.0.0.1:0", "--k", "4"]);
    procs.push(b);
    const port = (await b.waitFor("err", /listening on 127\.0\.0\.1:(\d+)/))[1];
    assert.ok(b.err.includes(hits[1]));
    const pcap = join(dir, "a.pcap");
    const espSa = join(dir, "a.esp_sa");
    const a = new Proc(["host", "--id", keys[0], "--listen", "127.0.0.1:0", "--connect", `${hits[1]}@127.0.0.1:${port}`, "--pcap", pcap, "--esp-sa", espSa]);
    procs.push(a);
    await a.waitFor("err", new RegExp(`established ${hits[1]} at 127\\.0\\.0\\.1:${port}`));

    a.child.stdin.write("hello from A\n");
    await b.waitFor("out", /hello from A\n/);
    await b.waitFor("err", new RegExp(`established ${hits[0]}`)); // responder: after ESP arrived
    b.child.stdin.write("hello from B\nsecond line\n");
    await a.waitFor("out", /hello from B\nsecond line\n/);

    a.child.stdin.end();
    b.child.stdin.end();
    assert.equal(await withTimeout(a.exited, 5000, "A exit"), 0);
    assert.equal(await withTimeout(b.exited, 5000, "B exit"), 0);
    assert.equal(b.out, "hello from A\n");

    const cap = readPcapFile(pcap);
    assert.ok("records" in cap, "pcap parses");
    // I1, R1, I2, R2 + 1 ESP out + 2 ESP in, at least.
    assert.ok(cap.records.length >= 7, `pcap records ${cap.records.length}`);
    assert.equal(statSync(espSa).mode & 0o777, 0o600);
    assert.equal(readFileSync(espSa, "utf8").trim().split("\n").length, 4); // 2 SAs × (IPv4, IPv6)
    // An independent decoder agrees: checksums, ICVs with the exported keys, decrypted lines.
    if (!tsharkSkip()) await checkSessionPcap(pcap, espSa, /hello from B/);
  } finally {
    for (const p of procs) p.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("hipmm demo (npm start): FA lease, base exchange, data, move to 127.0.0.2 with REA/AC/ACR, B's restart and rejoin, CLOSE; exits 0 in < 15 s", () => {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, ["--import", "tsx", join(import.meta.dirname, "fixtures", "cli.ts"), "demo", "--k", "4"], { encoding: "utf8", timeout: 30_000 });
  assert.equal(r.status, 0, r.stderr + r.stdout);
  assert.ok(Date.now() - t0 < 15_000, "demo runtime");
  const packets = r.stdout.split("\n").filter((l) => /^\s+\d+\.\d+ {2}\S+\s+→/.test(l)).map((l) => /(FAQ|I1|R1|I2|R2|REA|AC|ACR|CLOSE_ACK|CLOSE|ESP|relay\[\w+\])\s/.exec(l)?.[1]);
  for (const p of ["FAQ", "I1", "R1", "I2", "R2", "ESP", "REA", "AC", "ACR", "relay[ACR]", "CLOSE", "CLOSE_ACK"]) assert.ok(packets.includes(p), `${p} in ${packets.join(" ")}`);
  assert.match(r.stdout, /B received: "hello B/);
  assert.match(r.stdout, /A received: "hello A/);
  assert.match(r.stdout, /A moves: 127\.0\.0\.1 → 127\.0\.0\.2/);
  assert.match(r.stdout, /B got A's datagram from 127\.0\.0\.2/);
  assert.match(r.stdout, /A got B's datagram at 127\.0\.0\.2/);
  assert.match(r.stdout, /A' +→ B +ESP/, "data continues from the new address");
  // B's restart: after it, B answers A's liveness AC with an I1 and the exchange runs again.
  assert.match(r.stdout, /B crashes \(no CLOSE sent\)[\s\S]*A' +→ B +AC[\s\S]*A: no answer from B on any path for \d+ ms: B reported unreachable/, "A notices the crash");
  assert.match(r.stdout, /dead peer +A reported B unreachable \d+ ms after the crash/);
  const after = r.stdout.slice(r.stdout.indexOf("B restarts"));
  assert.match(after, /A' +→ B +AC[\s\S]*B +→ A' +I1[\s\S]*A' +→ B +R1[\s\S]*B +→ A' +I2[\s\S]*A' +→ B +R2/, after);
  assert.match(after, /B rejoined A/);
  assert.match(r.stdout, /summary:/);
});
