// A whole session on real loopback UDP (`hipmm demo --pcap --esp-sa`: FA lease, base exchange,
// data, a move with REA/AC/ACR, CLOSE), checked by tshark as an independent decoder: every HIP
// packet's checksum good (relayed ones too), every ESP ICV good with the exported keys, and the
// decrypted inner UDP payloads carry the data the hosts exchanged.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { repoRoot, tsharkSkip } from "../helpers/tshark.ts";
import { checkSessionPcap } from "./session-check.ts";

const bin = join(repoRoot, "bin", "hipmm.js");
const built = existsSync(join(repoRoot, "dist", "cli", "main.js"));

test("tshark validates a captured demo session: HIP checksums, ESP ICVs, decrypted data", { skip: tsharkSkip() || (!built && "run npm run build first") }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "hipmm-session-"));
  const pcap = join(dir, "s.pcap");
  const sa = join(dir, "s.esp_sa");
  const r = spawnSync(process.execPath, [bin, "demo", "--pcap", pcap, "--esp-sa", sa], { encoding: "utf8", timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(statSync(sa).mode & 0o777, 0o600, "ESP keys file is private");
  await checkSessionPcap(pcap, sa, /hello/);
});
