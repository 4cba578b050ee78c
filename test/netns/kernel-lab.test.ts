// `hipmm lab kernel` (src/lab/kernel-node.ts) as a user runs it: a real process builds three
// network namespaces, runs two `hipmm host` processes and changes H's links under them. Each step
// must move H's path by REA (not by a silence failover: 1.5 s and more) and lose far fewer
// pings; the capture of R's link must dissect (REA, AC, ACR among the frames: its UDP checksums
// are the kernel's partial ones, offload); nothing the lab made may be left behind.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import type { KernelLabStep } from "../../src/lab/kernel-node.ts";
import { runProcess } from "../helpers/process.ts";
import { CLI, netnsSkip } from "./netns.ts";

const skip = netnsSkip(["tcpdump"]);

const namespaces = () => spawnSync("ip", ["netns", "list"], { encoding: "utf8" }).stdout.split("\n").filter((l) => l.startsWith("hmlab-"));

test("hipmm lab kernel: carrier loss, carrier back, renumbering — each moves the path by REA within a second; the capture dissects; nothing left behind", { skip, timeout: 90_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "hipmm-lab-kernel-test-"));
  const before = namespaces();
  try {
    const pcap = join(dir, "k.pcap");
    const r = await runProcess(process.execPath, ["--import", "tsx", CLI, "lab", "kernel", "--json", "--pcap", pcap], { timeoutMs: 80_000 });
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout.trim().split("\n").at(-1)!) as { steps: KernelLabStep[]; pings: { sent: number; answered: number } };
    for (const s of out.steps) console.log(`${s.step}: ${s.outage_ms} ms without a reply, ${s.lost} lost → ${s.path}`);
    assert.deepEqual(
      out.steps.map((s) => s.path),
      ["10.77.2.2:10500 → 10.77.3.2:10500", "10.77.1.2:10500 → 10.77.3.2:10500", "10.77.1.3:10500 → 10.77.3.2:10500"],
    );
    for (const s of out.steps) {
      assert.ok(s.outage_ms < 1000, `${s.step}: ${s.outage_ms} ms without a reply (a silence failover takes 1.5 s and more)`);
      assert.ok(s.lost < 40, `${s.step}: ${s.lost} pings lost (20 ms apart; a silence failover loses 75 and more)`);
    }
    assert.ok(out.pings.answered > 200, JSON.stringify(out.pings));
    const d = await runProcess(process.execPath, ["--import", "tsx", CLI, "decode", "--json", pcap], { timeoutMs: 30_000 });
    assert.equal(d.code, 0, d.stderr);
    const types = new Set((JSON.parse(d.stdout) as { hip?: { name: string } }[]).map((f) => f.hip?.name));
    for (const t of ["I1", "R1", "I2", "R2", "REA", "AC", "ACR"]) assert.ok(types.has(t), `${t} in the capture`);
    assert.deepEqual(namespaces(), before, "the lab's namespaces are gone");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("hipmm lab kernel refuses --seed (simulated scenarios only)", { skip }, async () => {
  const r = await runProcess(process.execPath, ["--import", "tsx", CLI, "lab", "kernel", "--seed", "3"], { timeoutMs: 30_000 });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^hipmm lab: kernel: --seed applies to the simulated scenarios only/);
});
