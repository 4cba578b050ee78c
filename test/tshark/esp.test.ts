// `hipmm sample --esp`: ESP packets sealed by the WASM data plane (suites 1 and 13, UDP/10500),
// checked by tshark with our esp_sa UAT lines and the Lua UDP/10500 demultiplexer: every ICV
// good and every decrypted inner payload equal to what was sealed. Tampering must be caught.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { tsharkEspArgs } from "../../src/capture/esp-sa.ts";
import { PcapWriter } from "../../src/capture/pcap.ts";
import { sample } from "../../src/cli/sample.ts";
import { hex } from "../../src/core/bytes.ts";
import { sampleEsp, writeSampleEsp } from "../../src/sample/esp.ts";
import { espDemuxLua, tsharkFields, tsharkSkip } from "../helpers/tshark.ts";

const FIELDS = ["esp.spi", "esp.sequence", "esp.icv_good", "esp.icv_bad", "esp.protocol", "esp.contained_data"];

function tmp(name: string): string {
  return join(mkdtempSync(join(tmpdir(), "hipmm-esp-")), name);
}

async function writeEspSample(): Promise<{ pcap: string; sa: string; lines: string[] }> {
  const pcap = tmp("esp.pcap");
  const sa = tmp("esp_sa");
  const rc = await sample(["--esp", "--pcap", pcap, "--esp-sa", sa], { out: () => {}, err: (l) => assert.fail(l) });
  assert.equal(rc, 0);
  return { pcap, sa, lines: readFileSync(sa, "utf8").split("\n").filter(Boolean) };
}

test("esp sample: SA file is mode 0600, one line per SA, both suites", async () => {
  const { sa, lines } = await writeEspSample();
  assert.equal(statSync(sa).mode & 0o777, 0o600);
  assert.equal(lines.length, 4);
  assert.equal(lines.filter((l) => l.includes('"AES-CBC [RFC3602]"') && l.includes('"HMAC-SHA-1-96 [RFC2404]"')).length, 2);
  assert.equal(lines.filter((l) => l.includes('"AES-GCM with 16 octet ICV [RFC4106]"') && l.endsWith('"NULL",""')).length, 2);
});

test("tshark: every ESP ICV good, decrypted inner payload equals the sealed one", { skip: tsharkSkip() }, async () => {
  const { pcap, lines } = await writeEspSample();
  const expected = sampleEsp().packets;
  const rows = await tsharkFields(pcap, FIELDS, { lua: [espDemuxLua], args: tsharkEspArgs(lines), timeoutMs: 20_000 });
  assert.equal(rows.length, expected.length);
  assert.equal(expected.length, 6);
  rows.forEach(([spi, seq, good, bad, proto, inner], n) => {
    const e = expected[n];
    const label = `frame ${n + 1} (suite ${e.suite})`;
    assert.deepEqual(spi, [`0x${e.spi.toString(16).padStart(8, "0")}`], label);
    assert.deepEqual(seq, [String(e.seq)], label);
    assert.deepEqual([good, bad], [["1"], ["0"]], `${label}: ICV`);
    assert.deepEqual(proto, ["0x11"], label);
    assert.deepEqual(inner, [hex(e.inner)], `${label}: inner payload`);
  });
});

test("tshark: a flipped ciphertext bit or a wrong key is reported (the checks can fail)", { skip: tsharkSkip() }, async () => {
  const s = sampleEsp();
  const { lines } = await writeEspSample();
  const tampered = s.packets.map((p, n) => (n % 3 === 0 ? { ...p, esp: p.esp.map((b, i) => (i === 30 ? b ^ 1 : b)) } : p));
  const w = new PcapWriter();
  writeSampleEsp(w, { ...s, packets: tampered });
  const pcap = tmp("tampered.pcap");
  writeFileSync(pcap, w.bytes());
  const rows = await tsharkFields(pcap, FIELDS, { lua: [espDemuxLua], args: tsharkEspArgs(lines) });
  assert.deepEqual(
    rows.map((r) => r[3][0]),
    s.packets.map((_, n) => (n % 3 === 0 ? "1" : "0")),
  );
  // Wrong authentication key for the suite-1 SAs: ICVs no longer verify.
  const wrong = lines.map((l) => l.replace(/"HMAC-SHA-1-96 \[RFC2404\]","0x([0-9a-f])/, (_m, c: string) => `"HMAC-SHA-1-96 [RFC2404]","0x${c === "0" ? "1" : "0"}`));
  const rows2 = await tsharkFields(readPcapPath(s), FIELDS, { lua: [espDemuxLua], args: tsharkEspArgs(wrong) });
  assert.deepEqual(
    rows2.map((r) => r[3][0]),
    s.packets.map((p) => (p.suite === 1 ? "1" : "0")),
  );
});

function readPcapPath(s: ReturnType<typeof sampleEsp>): string {
  const w = new PcapWriter();
  writeSampleEsp(w, s);
  const p = tmp("esp.pcap");
  writeFileSync(p, w.bytes());
  return p;
}
