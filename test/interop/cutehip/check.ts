// Checks of one cell's capture: the harness's independent analyzer (analyze.py) and tshark on
// every packet hipmm sent (HIP checksum + TLV walk, ESP ICV with the exported keys).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { tsharkEspArgs } from "../../../src/capture/esp-sa.ts";
import { espDemuxLua, tsharkFields } from "../../helpers/tshark.ts";
import { HARNESS, OUR_ADDR, PY } from "./harness.ts";

/** What analyze.py must report for the cell (RFC mode: RFC orders; profile mode: cutehip's). */
export interface AnalyzeExpect {
  rfc: boolean;
  espSuite: number;
  k: number;
}

const FAILURES = [/\bBAD\b/, /error /, /no block verifies/, /does not verify/, /no secret\/IKM/, /unknown SPI/, /no R1\/I2 seen/, /skipping KEYMAT/];

/** Run analyze.py on `pcap` with cutehip's log (for Kij); returns its report after checking it. */
export function analyze(pcap: string, cutehipLog: string, e: AnalyzeExpect): string {
  const r = spawnSync(PY, [join(HARNESS, "analyze.py"), pcap, "--log", cutehipLog], { encoding: "utf8", timeout: 60_000 });
  const out = `${r.stdout}\n${r.stderr}`;
  const report = out.slice(out.indexOf("== BEX"));
  assert.equal(r.status, 0, `analyze.py exit ${r.status}\n${out}`);
  for (const f of FAILURES) assert.ok(!f.test(out), `analyze.py reports ${f}:\n${report}`);
  assert.match(out, /KEYMAT = HKDF\(.*verified by I2 HIP_MAC/, report);
  for (const sig of ["R1 HIP_SIGNATURE_2", "I2 HIP_SIGNATURE", "R2 HIP_SIGNATURE"]) assert.match(out, new RegExp(`${sig}.*: .* ok`), `${sig} verified\n${report}`);
  assert.match(out, new RegExp(`puzzle K=${e.k}: RHASH\\(I\\|HIT-I\\|HIT-R\\|J\\) low K bits zero: ${e.rfc || e.k === 0 ? "True" : "\\w+"} ; RHASH\\(I\\|HIT-R\\|HIT-I\\|J\\): ${e.rfc && e.k > 0 ? "\\w+" : "True"}`), report);
  assert.match(out, new RegExp(`== ESP: suite ${e.espSuite} `), report);
  const macLines = report.split("\n").filter((l) => / pkt .*HIP_MAC/.test(l));
  assert.ok(macLines.some((l) => / UPDATE /.test(l)), `UPDATE MACs checked\n${report}`);
  assert.ok(macLines.some((l) => / CLOSE_ACK /.test(l)), `CLOSE_ACK MAC checked\n${report}`);
  if (e.rfc) {
    for (const l of macLines) assert.match(l, /RFC 7401 order/, report);
    assert.match(out, /R2 HIP_SIGNATURE \(type 61697\)/, report);
    const espLines = report.split("\n").filter((l) => /spi 0x[0-9a-f]+ seq \d+: ICV/.test(l));
    assert.ok(espLines.length >= 2, `ESP checked both ways\n${report}`);
    for (const l of espLines) assert.match(l, /truncated to 16 bytes.*RFC 7402 order/, report);
  } else {
    // cutehip's own readings (profile switches): I2 / R2 MACs with the swapped key blocks,
    // R2 signature in a HIP_SIGNATURE_2 TLV, 32-byte ICVs; UPDATE / CLOSE MACs in RFC order.
    for (const l of macLines) assert.match(l, / (I2|R2) .*REVERSED vs RFC 7401|(UPDATE|CLOSE|CLOSE_ACK) .*RFC 7401 order/, report);
    assert.match(out, /R2 HIP_SIGNATURE_2 \(type 61633\)/, report);
    const espLines = report.split("\n").filter((l) => /spi 0x[0-9a-f]+ seq \d+: ICV/.test(l));
    assert.ok(espLines.length >= 2, `ESP checked both ways\n${report}`);
    for (const l of espLines) assert.match(l, /truncated to 32 bytes.*RFC 7402 order/, report);
  }
  return report;
}

/** tshark on the packets hipmm sent (outer source = our address): HIP checksum good and the
 * TLV walk clean; with `icv16`, every ESP packet's ICV verifies with the exported keys. */
export async function tsharkOurs(pcap: string, espSa: string, icv16: boolean): Promise<{ hip: number; esp: number }> {
  const lines = readFileSync(espSa, "utf8").split("\n").filter(Boolean);
  const rows = await tsharkFields(pcap, ["ip.src", "hip.type", "hip.checksum.status", "esp.spi", "esp.icv_good", "esp.icv_bad", "_ws.expert.severity"], {
    lua: [espDemuxLua],
    args: [...tsharkEspArgs(lines), "-d", "udp.port==10500,hipmm_udp"],
    timeoutMs: 30_000,
  });
  let hip = 0;
  let esp = 0;
  for (const [src, type, csum, spi, good, bad, sev] of rows) {
    if (src[0] !== OUR_ADDR) continue;
    if (type.length > 0) {
      hip++;
      assert.deepEqual(csum, ["1"], `our HIP type ${type[0]}: checksum good`);
      assert.ok(!sev.some((s) => Number(s) >= 0x00800000), `our HIP type ${type[0]}: no expert errors (${sev})`);
    } else {
      esp++;
      assert.equal(spi.length, 1, `our ESP dissected once per frame (SPIs seen: ${spi.join(",")}; ICV good ${good.join(",")}, bad ${bad.join(",")})`);
      if (icv16) assert.deepEqual([good, bad], [["1"], ["0"]], `our ESP spi ${spi[0]}: ICV good`);
    }
  }
  assert.ok(hip >= 3, `our HIP packets seen by tshark: ${hip}`);
  assert.ok(esp >= 1, `our ESP packets seen by tshark: ${esp}`);
  return { hip, esp };
}
