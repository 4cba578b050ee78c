// `hipmm lab <scenario> --pcap` captures checked by tshark: every HIP packet the labs put on
// the (simulated) wire — REA, AC, ACR, FAQ, FAA, and those relayed through a Forwarding Agent
// (relay frames, dissected by the Lua demultiplexer) — has a good checksum, and tshark's TLV walk
// (type, length, position) equals ours. PROFILE §4: tshark's parameter contents are not compared.
// With --esp-sa, every ESP packet's ICV checks with the keys the lab wrote.
import assert from "node:assert/strict";
import { mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { readPcapFile } from "../../src/capture/pcap-file.ts";
import { parseIpPacket, parseUdp } from "../../src/capture/parse-ip.ts";
import { command as labCommand } from "../../src/cli/lab.ts";
import { PacketType } from "../../src/wire/constants.ts";
import { walkParamsTs } from "../../src/wire/walk.ts";
import { espDemuxLua, runTshark, tsharkSkip } from "../helpers/tshark.ts";
import { fieldValues, hipTlvs, parsePdml } from "./pdml.ts";
import { checkSessionPcap } from "./session-check.ts";

interface OurHip {
  frame: number;
  type: number;
  tlvs: { type: number; length: number; pos: number }[];
}

/** HIP packets in a lab capture, directly on UDP/10500 or inside an FA relay frame. */
function ourHipPackets(file: string): OurHip[] {
  const cap = readPcapFile(file);
  assert.ok("records" in cap, "pcap parses");
  const out: OurHip[] = [];
  cap.records.forEach((rec, i) => {
    const ip = parseIpPacket(rec.data);
    assert.ok("payload" in ip, `frame ${i + 1}: IP`);
    const udp = parseUdp(ip);
    assert.ok("srcPort" in udp, `frame ${i + 1}: UDP`);
    let p = udp.payload;
    let base = udp.offset;
    const u32 = (o: number) => ((p[o] << 24) | (p[o + 1] << 16) | (p[o + 2] << 8) | p[o + 3]) >>> 0;
    if (p.length >= 8 && u32(0) === 0xfa) {
      const skip = (p[6] & 1) === 1 ? 8 : 44; // compact or full tunnel frame (PROTOCOL §4, §9)
      p = p.subarray(skip);
      base += skip;
    }
    if (p.length < 4 || u32(0) !== 0) return; // ESP
    const hip = p.subarray(4);
    const walk = walkParamsTs(hip);
    assert.ok(walk.ok, `frame ${i + 1}: our walk`);
    const tlvs = [];
    for (let j = 0; j < walk.value.count; j++) tlvs.push({ type: walk.value.type(j), length: walk.value.length(j), pos: base + 4 + walk.value.offset(j) });
    out.push({ frame: i + 1, type: hip[2] & 0x7f, tlvs });
  });
  return out;
}

async function runLab(name: string): Promise<string> {
  const file = join(mkdtempSync(join(tmpdir(), "hipmm-lab-")), `${name}.pcap`);
  const log = console.log;
  console.log = () => {};
  try {
    assert.equal(await labCommand.run([name, "--json", "--pcap", file]), 0);
  } finally {
    console.log = log;
  }
  return file;
}

const cases: [string, number[]][] = [
  ["handover", [PacketType.REA, PacketType.AC, PacketType.ACR]],
  ["v4-to-v6", [PacketType.REA, PacketType.AC, PacketType.ACR]],
  ["fa-crash", [PacketType.FAQ, PacketType.FAA, PacketType.REA, PacketType.AC, PacketType.ACR]],
  ["double-move", [PacketType.FAQ, PacketType.FAA, PacketType.REA, PacketType.AC, PacketType.ACR]],
  ["restart", [PacketType.I1, PacketType.R1, PacketType.I2, PacketType.R2, PacketType.AC]],
  ["peer-dead", [PacketType.I1, PacketType.R1, PacketType.I2, PacketType.R2, PacketType.AC]],
  ["rekey", [PacketType.UPDATE]], // with DIFFIE_HELLMAN in the first request and reply
];

for (const [name, mustSee] of cases) {
  test(`tshark: lab ${name} capture — HIP checksums good, TLV walk equals ours`, { skip: tsharkSkip() }, async () => {
    const file = await runLab(name);
    const ours = ourHipPackets(file);
    const r = await runTshark(file, ["-T", "pdml", "-J", "hip hipmm_udp"], { lua: [espDemuxLua], filter: "hip", timeoutMs: 60_000 });
    assert.equal(r.code, 0, r.stderr);
    const frames = parsePdml(r.stdout);
    assert.equal(frames.length, ours.length, "tshark finds the same HIP packets");
    const seen = new Set<number>();
    frames.forEach((fields, n) => {
      const o = ours[n];
      const label = `frame ${o.frame} (HIP type ${o.type})`;
      seen.add(o.type);
      assert.deepEqual(fieldValues(fields, "hip.checksum.status"), ["1"], `${label}: checksum`);
      assert.deepEqual(fieldValues(fields, "hip.packet_type"), [String(o.type)], label);
      assert.deepEqual(hipTlvs(fields), o.tlvs, `${label}: TLV walk`);
    });
    for (const t of mustSee) assert.ok(seen.has(t), `${name}: a packet of type ${t} was captured and checked`);
  });
}

// `--esp-sa`: the keys of every SA of the run (both hosts; for `rekey` the pairs of both rekeys,
// the one with a new Diffie-Hellman too): tshark finds every ESP packet's ICV good with them.
for (const name of ["handover", "rekey"]) {
  test(`tshark: lab ${name} --pcap --esp-sa — every ESP packet's ICV good with the written keys`, { skip: tsharkSkip() }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "hipmm-lab-"));
    const [pcap, keys] = [join(dir, `${name}.pcap`), join(dir, `${name}.esp_sa`)];
    const log = console.log;
    console.log = () => {};
    try {
      assert.equal(await labCommand.run([name, "--json", "--pcap", pcap, "--esp-sa", keys]), 0);
    } finally {
      console.log = log;
    }
    assert.equal(statSync(keys).mode & 0o777, 0o600);
    const { esp } = await checkSessionPcap(pcap, keys, /[\s\S]/);
    assert.ok(esp > 5000, `ESP packets: ${esp}`);
  });
}
