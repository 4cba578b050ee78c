// A whole session on real loopback UDP (`hipmm demo --pcap --esp-sa`), checked by tshark as an
// independent decoder: every HIP packet's checksum good, every ESP ICV good with the exported
// keys, and the decrypted inner UDP payloads carry the data the hosts exchanged.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { readPcapFile } from "../../src/capture/pcap-file.ts";
import { parseIpPacket, parseUdp } from "../../src/capture/parse-ip.ts";
import { tsharkEspArgs } from "../../src/capture/esp-sa.ts";
import { espDemuxLua, repoRoot, tsharkFields, tsharkSkip } from "../helpers/tshark.ts";

const bin = join(repoRoot, "bin", "hipmm.js");
const built = existsSync(join(repoRoot, "dist", "cli", "main.js"));

test("tshark validates a captured demo session: HIP checksums, ESP ICVs, decrypted data", { skip: tsharkSkip() || (!built && "run npm run build first") }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "hipmm-session-"));
  const pcap = join(dir, "s.pcap");
  const sa = join(dir, "s.esp_sa");
  const r = spawnSync(process.execPath, [bin, "demo", "--pcap", pcap, "--esp-sa", sa], { encoding: "utf8", timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(statSync(sa).mode & 0o777, 0o600, "ESP keys file is private");

  // The hosts use ephemeral ports: tell tshark that they carry UDP/10500 framing.
  const cap = readPcapFile(pcap);
  assert.ok("records" in cap, "pcap parses");
  const ports = new Set<number>();
  for (const rec of cap.records) {
    const ip = parseIpPacket(rec.data);
    assert.ok("payload" in ip, "IP packet");
    const udp = parseUdp(ip);
    assert.ok("srcPort" in udp, "UDP datagram");
    ports.add(udp.srcPort);
    ports.add(udp.dstPort);
  }
  const decodeAs = [...ports].flatMap((p) => ["-d", `udp.port==${p},hipmm_udp`]);
  const lines = readFileSync(sa, "utf8").split("\n").filter(Boolean);
  const rows = await tsharkFields(pcap, ["hip.type", "hip.checksum.status", "esp.spi", "esp.icv_good", "esp.icv_bad", "esp.contained_data"], {
    lua: [espDemuxLua],
    args: [...tsharkEspArgs(lines), ...decodeAs],
    timeoutMs: 20_000,
  });
  assert.equal(rows.length, cap.records.length);
  let hip = 0;
  let esp = 0;
  const inner: string[] = [];
  for (const [type, csum, spi, good, bad, data] of rows) {
    if (type.length > 0) {
      hip++;
      assert.deepEqual(csum, ["1"], `HIP type ${type[0]}: checksum good`);
    } else {
      esp++;
      assert.equal(spi.length, 1, "ESP dissected");
      assert.deepEqual([good, bad], [["1"], ["0"]], `ESP spi ${spi[0]}: ICV good`);
      // BEET: the contained data is the inner UDP header (8 bytes) and the application data.
      inner.push(Buffer.from(data.join(""), "hex").subarray(8).toString("latin1"));
    }
  }
  assert.ok(hip >= 4, `HIP packets: ${hip}`);
  assert.ok(esp >= 2, `ESP packets: ${esp}`);
  assert.ok(inner.some((s) => s.includes("hello")), `decrypted payloads: ${JSON.stringify(inner)}`);
});
