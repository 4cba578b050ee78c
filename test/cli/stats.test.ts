// Visible counters: a real `hipmm host` / `hipmm fa` process prints one JSON line with every
// counter (drops by reason) on SIGUSR1, on stderr or in --stats-file; a malformed HIP datagram
// sent over loopback UDP shows up as exactly one `hip.malformed` drop.
import assert from "node:assert/strict";
import { createSocket } from "node:dgram";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { Proc } from "../helpers/proc.ts";
import { CLI, hipmm } from "./run.ts";

function send(port: number, data: Uint8Array): Promise<void> {
  const s = createSocket("udp4");
  return new Promise((resolve, reject) =>
    s.send(data, port, "127.0.0.1", (e) => {
      s.close();
      if (e) reject(e);
      else resolve();
    }),
  );
}

/** JSON lines of `text` that carry `"cmd"` (the stats lines). */
function statsLines(text: string): Record<string, unknown>[] {
  return text
    .split("\n")
    .filter((l) => l.startsWith("{") && l.includes('"cmd"'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** Send SIGUSR1 until a stats line satisfies `ok` (bounded: 50 tries). */
async function signalUntil(p: Proc, lines: () => Record<string, unknown>[], ok: (s: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
  for (let i = 0; i < 50; i++) {
    const before = lines().length;
    p.child.kill("SIGUSR1");
    for (let j = 0; j < 100 && lines().length === before; j++) await new Promise((r) => setTimeout(r, 20));
    const all = lines();
    assert.ok(all.length > before, `no stats line after SIGUSR1: ${p.err}`);
    const last = all[all.length - 1];
    if (ok(last)) return last;
  }
  throw new Error("stats never matched");
}

test("hipmm host: SIGUSR1 prints one JSON line with every drop counter; a malformed datagram counts once", async () => {
  const dir = mkdtempSync(join(tmpdir(), "hipmm-cli-stats-"));
  let p: Proc | undefined;
  try {
    const key = join(dir, "a.key");
    assert.equal((await hipmm(["keygen", "-o", key])).code, 0);
    p = new Proc(["--import", "tsx", CLI, "host", "--id", key, "--listen", "127.0.0.1:0"], 20_000);
    const port = Number((await p.waitFor("err", /listening on 127\.0\.0\.1:(\d+)/))[1]);
    const host = p;
    const lines = () => statsLines(host.err);
    const first = await signalUntil(p, lines, () => true);
    assert.equal(first.cmd, "host");
    for (const k of ["hip", "update", "mobility", "esp", "drops"]) assert.equal(typeof first[k], "object", k);
    assert.equal((first.drops as Record<string, number>)["hip.malformed"] ?? 0, 0);
    // Zero marker (HIP over UDP, RFC 5770) + 5 bytes: shorter than a HIP header (RFC 7401 §5.1).
    await send(port, new Uint8Array([0, 0, 0, 0, 0x3b, 1, 2, 3, 4]));
    const s = await signalUntil(p, lines, (x) => ((x.drops as Record<string, number>)["hip.malformed"] ?? 0) > 0);
    assert.equal((s.drops as Record<string, number>)["hip.malformed"], 1);
    assert.equal((s.hip as Record<string, number>)["drop.malformed"], 1);
    // Each stats line is exactly one line of JSON on stderr.
    for (const l of p.err.split("\n").filter((x) => x.includes('"cmd"'))) assert.doesNotThrow(() => JSON.parse(l));
    p.child.stdin.end();
    assert.equal(await p.exited, 0);
  } finally {
    p?.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("hipmm host --stats-file: periodic lines go to the file, not stderr", async () => {
  const dir = mkdtempSync(join(tmpdir(), "hipmm-cli-stats-"));
  let p: Proc | undefined;
  try {
    const key = join(dir, "a.key");
    const file = join(dir, "stats.jsonl");
    assert.equal((await hipmm(["keygen", "-o", key])).code, 0);
    p = new Proc(["--import", "tsx", CLI, "host", "--id", key, "--listen", "127.0.0.1:0", "--stats", "0.2", "--stats-file", file], 20_000);
    await p.waitFor("err", /listening on/);
    const read = () => (existsSync(file) ? statsLines(readFileSync(file, "utf8")) : []);
    for (let i = 0; i < 500 && read().length < 2; i++) await new Promise((r) => setTimeout(r, 20));
    assert.ok(read().length >= 2, "two periodic lines");
    assert.equal(statsLines(p.err).length, 0);
    p.child.kill("SIGTERM");
    assert.equal(await p.exited, 0);
  } finally {
    p?.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("hipmm fa: SIGUSR1 prints the FA server's counters (drops by reason) as one JSON line", async () => {
  const dir = mkdtempSync(join(tmpdir(), "hipmm-cli-stats-"));
  let p: Proc | undefined;
  try {
    p = new Proc(["--import", "tsx", CLI, "fa", "--id", join(dir, "fa.key"), "--udp", "127.0.0.1:0", "--log", "json"], 20_000);
    const port = Number((await p.waitFor("out", /"udp":\[\{"ip":"127\.0\.0\.1","port":(\d+)\}/))[1]);
    const fa = p;
    const lines = () => statsLines(fa.err);
    const first = await signalUntil(p, lines, () => true);
    assert.equal(first.cmd, "fa");
    assert.equal(typeof first.drops, "object");
    const total = (s: Record<string, unknown>) => Object.values(s.drops as Record<string, number>).reduce((a, b) => a + b, 0);
    await send(port, new Uint8Array([1, 2])); // too short for anything (counted as a drop by reason)
    const s = await signalUntil(p, lines, (x) => total(x) > total(first));
    assert.equal(total(s) - total(first), 1);
    p.child.kill("SIGTERM");
    assert.equal(await p.exited, 0);
  } finally {
    p?.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});
