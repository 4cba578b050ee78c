// `hipmm sample --pcap` checked by an independent dissector: tshark must find all 28 HIP
// packets (14 types × raw IP 139 and UDP/10500), call every checksum good, and walk the same
// TLVs (type, length, offset) as our codec. PROFILE §4: tshark's parameter *contents* are
// RFC 5201-era and not compared.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { dissectPcap } from "../../src/capture/dissect.ts";
import { PcapWriter } from "../../src/capture/pcap.ts";
import { sample } from "../../src/cli/sample.ts";
import { withZeroMarker } from "../../src/sample/capture.ts";
import { SAMPLE_PACKET_NAMES, samplePackets } from "../../src/sample/packets.ts";
import { PacketType } from "../../src/wire/constants.ts";
import { emitPacket } from "../../src/wire/packet.ts";
import { walkParamsTs } from "../../src/wire/walk.ts";
import { runTshark, tsharkSkip } from "../helpers/tshark.ts";
import { fieldValues, hipTlvs, parsePdml } from "./pdml.ts";

const quiet = { out: () => {}, err: (l: string) => assert.fail(l) };

async function writeSample(extra: string[] = []): Promise<string> {
  const path = join(mkdtempSync(join(tmpdir(), "hipmm-sample-")), "sample.pcap");
  assert.equal(await sample(["--pcap", path, ...extra], quiet), 0);
  return path;
}

test("sample is deterministic per seed and differs across seeds", async () => {
  const a = readFileSync(await writeSample());
  const b = readFileSync(await writeSample());
  const c = readFileSync(await writeSample(["--seed", "7"]));
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
});

test("tshark: 28 HIP packets, checksums good, TLV walk equals ours", { skip: tsharkSkip() }, async () => {
  const path = await writeSample();
  const r = await runTshark(path, ["-T", "pdml", "-J", "hip"], { timeoutMs: 20_000 });
  assert.equal(r.code, 0, r.stderr);
  const frames = parsePdml(r.stdout);
  const ours = samplePackets();
  assert.deepEqual(
    ours.map((p) => p.name),
    [...SAMPLE_PACKET_NAMES],
  );
  assert.equal(frames.length, 28);
  frames.forEach((fields, n) => {
    const p = ours[n >> 1];
    const hipStart = n % 2 === 0 ? 20 : 20 + 8 + 4; // IPv4 | IPv4 + UDP + zero marker
    const label = `frame ${n + 1} (${p.name}, ${n % 2 === 0 ? "raw IP 139" : "UDP/10500"})`;
    assert.deepEqual(fieldValues(fields, "hip.checksum.status"), ["1"], `${label}: checksum`);
    assert.deepEqual(fieldValues(fields, "hip.packet_type"), [String(PacketType[p.name as keyof typeof PacketType])], label);
    assert.deepEqual(fieldValues(fields, "hip.hdr_len"), [String(p.bytes.length / 8 - 1)], label);
    const walk = walkParamsTs(p.bytes);
    assert.ok(walk.ok);
    const mine = [];
    for (let i = 0; i < walk.value.count; i++) mine.push({ type: walk.value.type(i), length: walk.value.length(i), pos: hipStart + walk.value.offset(i) });
    assert.deepEqual(hipTlvs(fields), mine, `${label}: TLV walk`);
  });
});

test("tshark flags a corrupted HIP checksum (the check above can fail)", { skip: tsharkSkip() }, async () => {
  const path = await writeSample();
  const bytes = readFileSync(path);
  bytes[24 + 16 + 20 + 40] ^= 0x01; // first frame: a byte of the first parameter
  const bad = join(mkdtempSync(join(tmpdir(), "hipmm-sample-")), "bad.pcap");
  writeFileSync(bad, bytes);
  const r = await runTshark(bad, ["-T", "fields", "-e", "hip.checksum.status", "-c", "1"]);
  assert.equal(r.stdout.trim(), "0");
});

test("IPv6 framing (raw 139 and UDP/10500): tshark and decode both call the checksums good", { skip: tsharkSkip() }, async () => {
  const src = "2001:db8:1::10";
  const dst = "2001:db8:2::20";
  const w = new PcapWriter();
  for (const p of samplePackets().slice(0, 4)) {
    const bytes = emitPacket(p.packet, { src, dst });
    w.writeHip(0, src, dst, bytes);
    w.writeUdp(1, { ip: src, port: 10500 }, { ip: dst, port: 10500 }, withZeroMarker(bytes));
  }
  const path = join(mkdtempSync(join(tmpdir(), "hipmm-sample-")), "v6.pcap");
  writeFileSync(path, w.bytes());
  const r = await runTshark(path, ["-T", "fields", "-e", "hip.checksum.status"]);
  assert.deepEqual(r.stdout.trim().split("\n"), new Array(8).fill("1"));
  const frames = dissectPcap(w.bytes());
  assert.ok(Array.isArray(frames));
  assert.deepEqual(
    frames.map((f) => f.hip?.checksumStatus),
    new Array(8).fill("good"),
  );
});
