// `hipmm decode` on a capture whose HIP runs over another UDP port than 10500: HIP over UDP is
// recognised by its header (src/capture/heuristic.ts), the rest of that conversation (ESP) is
// demultiplexed too, and stderr names the ports plus the tshark `-d udp.port==N,hip` recipe;
// UDP with no HIP header seen gets a `--port N` hint. tshark is run on the recipe when present.
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { looksLikeHipOverUdp } from "../../src/capture/heuristic.ts";
import { PcapWriter } from "../../src/capture/pcap.ts";
import { decode } from "../../src/cli/decode.ts";
import { withZeroMarker } from "../../src/sample/capture.ts";
import { sampleEsp } from "../../src/sample/esp.ts";
import { samplePackets } from "../../src/sample/packets.ts";
import { runTshark, tsharkSkip } from "../helpers/tshark.ts";

const packets = samplePackets();

/** 14 HIP packets on UDP 40000 → 40001, then ESP on the same pair, then DNS-like UDP on 53. */
function capture(): { path: string; hip: number; esp: number } {
  const w = new PcapWriter();
  let t = 1000;
  for (const p of packets) w.writeUdp(t++, { ip: p.src, port: 40000 }, { ip: p.dst, port: 40001 }, withZeroMarker(p.bytes));
  const { src, dst } = packets[0];
  const esp = sampleEsp().packets.slice(0, 3);
  for (const e of esp) w.writeUdp(t++, { ip: src, port: 40000 }, { ip: dst, port: 40001 }, e.esp);
  w.writeUdp(t++, { ip: src, port: 5353 }, { ip: dst, port: 53 }, new Uint8Array(24).fill(7));
  const path = join(mkdtempSync(join(tmpdir(), "hipmm-decode-port-")), "p.pcap");
  writeFileSync(path, w.bytes());
  return { path, hip: packets.length, esp: esp.length };
}

async function run(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await decode(argv, { out: (l) => out.push(l), err: (l) => err.push(l), stdin: async () => new Uint8Array(0) });
  return { code, out, err };
}

test("looksLikeHipOverUdp: zero marker + HIP header only", () => {
  for (const p of packets) assert.ok(looksLikeHipOverUdp(withZeroMarker(p.bytes)), p.name);
  const i1 = withZeroMarker(packets[0].bytes);
  assert.equal(looksLikeHipOverUdp(packets[0].bytes), false, "no zero marker");
  const edits: [string, (b: Uint8Array) => void][] = [
    ["Next Header 6", (b) => (b[4] = 6)],
    ["Header Length off", (b) => (b[5] += 1)],
    ["fixed bit 1 clear", (b) => (b[7] &= 0xfe)],
    ["version 3", (b) => (b[7] = (3 << 4) | 1)],
    ["sender not an ORCHID", (b) => (b[12] = 0x30)],
  ];
  for (const [what, f] of edits) {
    const b = i1.slice();
    f(b);
    assert.equal(looksLikeHipOverUdp(b), false, what);
  }
  assert.equal(looksLikeHipOverUdp(new Uint8Array(60)), false, "all zeros");
});

test("decode finds HIP over UDP/40000, demuxes that conversation's ESP and hints the rest", async () => {
  const c = capture();
  const r = await run([c.path]);
  assert.equal(r.code, 0, r.err.join("\n"));
  const frames = r.out.filter((l) => l.startsWith("frame "));
  assert.equal(frames.length, c.hip + c.esp + 1);
  assert.equal(frames.filter((l) => l.includes("UDP 40000 → 40001 (HIP over UDP detected)")).length, c.hip + c.esp);
  assert.equal(r.out.filter((l) => /^ {2}HIP \w+ \(type \d+\) version 2, .*checksum 0x[0-9a-f]{4} \(good\)/.test(l)).length, c.hip);
  assert.equal(frames.filter((l) => l.includes(": ESP spi 0x")).length, c.esp);
  assert.match(frames.at(-1)!, /UDP 5353 → 53: not HIP over UDP/);
  assert.ok(r.err.some((l) => l.includes("HIP over UDP detected on port 40000, 40001") && l.includes("-d udp.port==40000,hip")), r.err.join("\n"));
  assert.ok(r.err.some((l) => /UDP on port 53 not dissected .*--port N/.test(l)), r.err.join("\n"));
  // --port makes it explicit: no detection note, no hint for those ports.
  const p = await run(["--port", "40000", c.path]);
  assert.equal(p.code, 0);
  assert.equal(p.out.filter((l) => l.includes("(HIP over UDP detected)")).length, 0);
  assert.ok(!p.err.some((l) => l.includes("detected on port")), p.err.join("\n"));
});

test("tshark: the README recipe `-d udp.port==N,hip` dissects the same HIP packets", { skip: tsharkSkip() }, async () => {
  const c = capture();
  const r = await runTshark(c.path, ["-T", "fields", "-e", "hip.checksum.status"], { args: ["-d", "udp.port==40000,hip"], filter: "hip" });
  assert.equal(r.code, 0, r.stderr);
  const rows = r.stdout.trim().split("\n");
  assert.equal(rows.length, c.hip);
  assert.ok(rows.every((x) => x === "1"), `every HIP checksum good: ${rows.join(" ")}`);
});
