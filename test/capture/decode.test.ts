// `hipmm decode`: accepts every sample packet (hex, pcap, stdin), rejects malformed packets
// with exit 1 and exactly one `error CODE at offset N: …` line.
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import fc from "fast-check";
import { dissectHip, type FrameDissection, type HipDissection, isHipDissection } from "../../src/capture/dissect.ts";
import { buildUdp } from "../../src/capture/ip.ts";
import { PcapWriter } from "../../src/capture/pcap.ts";
import { decode } from "../../src/cli/decode.ts";
import { hex } from "../../src/core/bytes.ts";
import { writeSampleHip } from "../../src/sample/capture.ts";
import { sampleEsp, writeSampleEsp } from "../../src/sample/esp.ts";
import { samplePackets } from "../../src/sample/packets.ts";

const packets = samplePackets();

async function run(argv: string[], stdin: Uint8Array = new Uint8Array(0)) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await decode(argv, { out: (l) => out.push(l), err: (l) => err.push(l), stdin: async () => stdin });
  return { code, out: out.join("\n"), err };
}

function tmpFile(name: string, bytes: Uint8Array): string {
  const p = join(mkdtempSync(join(tmpdir(), "hipmm-decode-")), name);
  writeFileSync(p, bytes);
  return p;
}

test("every sample packet decodes (exit 0), HITs in IPv6 notation, every parameter listed", async () => {
  for (const p of packets) {
    const r = await run(["--hex", hex(p.bytes), "--src", p.src, "--dst", p.dst]);
    assert.equal(r.code, 0, `${p.name}: ${r.err.join("\n")}`);
    assert.deepEqual(r.err, []);
    assert.match(r.out, new RegExp(`^HIP ${p.name} \\(type \\d+\\) version 2, ${p.bytes.length} bytes .*checksum 0x[0-9a-f]{4} \\(good\\)`));
    assert.match(r.out, /sender HIT {3}2001:2[0-9a-f]:/);
    for (const q of p.packet.params) assert.ok(r.out.includes(` ${q.kind} (`), `${p.name}: ${q.kind}`);
  }
});

test("--json gives the typed fields; checksum unchecked without addresses", async () => {
  const rea = packets.find((p) => p.name === "REA")!;
  const r = await run(["--json", "--hex", hex(rea.bytes)]);
  assert.equal(r.code, 0);
  const d = JSON.parse(r.out) as HipDissection;
  assert.equal(d.checksumStatus, "unchecked");
  assert.deepEqual(
    d.params.map((p) => p.name),
    ["REA_INFO", "REA_INFO", "HIP_SIGNATURE", "HMAC"],
  );
  const addrs = d.params[0].fields.addresses as { ip: string; port: number; preferred: boolean }[];
  assert.deepEqual(addrs[0], { lifetime: 3600, ip: "192.0.2.77", port: 10500, preferred: true });
  assert.equal(d.params[3].length, 20);
});

test("pcap input: 28 HIP frames, ESP frames show SPI/seq; stdin takes pcap bytes and hex text", async () => {
  const w = new PcapWriter();
  writeSampleHip(w, packets);
  const pcap = w.bytes();
  const r = await run([tmpFile("s.pcap", pcap)]);
  assert.equal(r.code, 0, r.err.join("\n"));
  assert.equal(r.out.split("\n").filter((l) => /^frame \d+ /.test(l)).length, 28);
  const j = await run(["--json", "-"], pcap);
  const frames = JSON.parse(j.out) as FrameDissection[];
  assert.equal(frames.length, 28);
  assert.deepEqual(
    frames.map((f) => [f.transport, f.hip?.checksumStatus]),
    frames.map((_, n) => [n % 2 ? "udp" : "ip", "good"]),
  );
  const esp = sampleEsp();
  const we = new PcapWriter();
  writeSampleEsp(we, esp);
  const e = await run(["-"], we.bytes());
  assert.equal(e.code, 0);
  const spiLines = e.out.split("\n").filter((l) => l.includes(": ESP spi 0x"));
  assert.equal(spiLines.length, esp.packets.length);
  assert.ok(spiLines[0].endsWith(`ESP spi 0x${esp.packets[0].spi.toString(16).padStart(8, "0")} seq 1 (${esp.packets[0].esp.length} bytes)`));
  const h = await run(["-"], new TextEncoder().encode(`0x${hex(packets[0].bytes).replace(/(.{32})/g, "$1\n")}\n`));
  assert.equal(h.code, 0);
  assert.match(h.out, /^HIP I1 /);
});

/** Malformations of the I2 (536 bytes; TLVs at 40, 56, 72, …) with the code and offset we expect. */
function malformed(): { what: string; bytes: Uint8Array; code: string; offset: number }[] {
  const i2 = packets.find((p) => p.name === "I2")!.bytes;
  const edit = (f: (b: Uint8Array) => void) => {
    const b = i2.slice();
    f(b);
    return b;
  };
  return [
    { what: "shorter than the header", bytes: i2.slice(0, 39), code: "TRUNCATED", offset: 39 },
    { what: "cut after a parameter", bytes: i2.slice(0, 256), code: "TRUNCATED", offset: 256 },
    { what: "bytes after Header Length", bytes: edit((b) => b.set([30], 1)), code: "TRAILING_BYTES", offset: 248 },
    { what: "Header Length < 4", bytes: edit((b) => b.set([3], 1)), code: "BAD_HEADER_LENGTH", offset: 1 },
    { what: "version 1", bytes: edit((b) => b.set([0x11], 3)), code: "BAD_VERSION", offset: 3 },
    { what: "fixed bit 0 set", bytes: edit((b) => b.set([b[2] | 0x80], 2)), code: "BAD_FIXED_BITS", offset: 2 },
    { what: "fixed bit 1 clear", bytes: edit((b) => b.set([b[3] & 0xfe], 3)), code: "BAD_FIXED_BITS", offset: 3 },
    { what: "Next Header not 59", bytes: edit((b) => b.set([6], 0)), code: "BAD_NEXT_HEADER", offset: 0 },
    { what: "TLV Length overruns the packet", bytes: edit((b) => b.set([0x07], 58)), code: "PARAM_OVERRUN", offset: 56 },
    { what: "parameters out of order", bytes: edit((b) => b.set([0x00, 0x40], 56)), code: "PARAM_ORDER", offset: 56 },
    { what: "known parameter with a bad Length", bytes: edit((b) => b.set([8], 43)), code: "PARAM_LENGTH", offset: 44 },
  ];
}

test("malformed packets: exit 1, one line with the error code and byte offset", async () => {
  for (const m of malformed()) {
    const r = await run(["--hex", hex(m.bytes)]);
    assert.equal(r.code, 1, m.what);
    assert.equal(r.out, "", m.what);
    assert.equal(r.err.length, 1, m.what);
    assert.match(r.err[0], new RegExp(`^error ${m.code} at offset ${m.offset}: \\S`), `${m.what}: ${r.err[0]}`);
  }
  const i1 = packets[0];
  const bad = await run(["--hex", hex(i1.bytes), "--src", i1.src, "--dst", "192.0.2.99"]);
  assert.equal(bad.code, 1);
  assert.match(bad.err[0], /^error BAD_CHECKSUM at offset 4: /);
});

test("pcap with one malformed frame: the others decode, exit 1 and a frame-numbered error line", async () => {
  const w = new PcapWriter();
  w.writeHip(0, packets[0].src, packets[0].dst, packets[0].bytes);
  const broken = packets[1].bytes.slice();
  broken[56 + 2] = 0x07;
  w.writeUdp(1, { ip: packets[1].src, port: 10500 }, { ip: packets[1].dst, port: 10500 }, new Uint8Array([0, 0, 0, 0, ...broken]));
  const r = await run([tmpFile("bad.pcap", w.bytes())]);
  assert.equal(r.code, 1);
  assert.match(r.out, /^frame 1 /);
  assert.equal(r.err.length, 1);
  assert.match(r.err[0], /^frame 2: error PARAM_OVERRUN at offset 56: /);
});

test("usage errors exit 2", async () => {
  assert.equal((await run([])).code, 2);
  assert.equal((await run(["--bogus"])).code, 2);
  assert.equal((await run(["--hex", "zz"])).code, 2);
  assert.equal((await run(["-"], new TextEncoder().encode("not hex"))).code, 2);
  assert.equal((await run(["/nonexistent/file.pcap"])).code, 2);
});

test("property: random corruption never throws; errors carry an offset inside the packet", () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: packets.length - 1 }), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { maxLength: 4 }), fc.nat(), (k, flips, cut) => {
      const b = packets[k].bytes.slice(0, packets[k].bytes.length - (cut % 64));
      for (const [i, x] of flips) b[i % b.length] ^= x;
      const d = dissectHip(b);
      if (!isHipDissection(d)) assert.ok(d.offset >= 0 && d.offset <= b.length && /^[A-Z_]+$/.test(d.code), JSON.stringify(d));
    }),
    { numRuns: 300, seed: 42 },
  );
});

test("a UDP checksum that does not verify (offload on the capturing host: tcpdump on a Linux sender or router) is reported, and the frame is still dissected", async () => {
  const w = new PcapWriter();
  const ip = buildUdp({ ip: packets[1].src, port: 10500 }, { ip: packets[1].dst, port: 10500 }, new Uint8Array([0, 0, 0, 0, ...packets[1].bytes]));
  assert.equal(ip[0] >> 4, 4, "IPv4: the UDP checksum is at bytes 26-27");
  ip[26] ^= 0x5a; // a partial checksum, as the kernel leaves it for the NIC
  w.writePacket(0, ip);
  const file = tmpFile("offload.pcap", w.bytes());
  const r = await run([file]);
  assert.equal(r.code, 0, r.err.join("\n"));
  assert.match(r.out, /^frame 1 .*UDP 10500 → 10500 \[UDP checksum incorrect: checksum offload on the capturing host\?\]/);
  assert.match(r.out, new RegExp(`HIP ${packets[1].name} `));
  const [f] = JSON.parse((await run(["--json", file])).out) as FrameDissection[];
  assert.equal(f.udpChecksum, "incorrect");
  assert.equal(f.error, undefined);
  assert.equal(f.hip?.packetType, packets[1].bytes[2] & 0x7f);
});
