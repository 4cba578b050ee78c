// Dev tool (issue 12), not a bench row: the self and total time per function of a .cpuprofile
// (from the tools' PROF= / out.cpuprofile options), optionally only inside the time windows in
// `<profile>.win.json` ([startUs, endUs] pairs of process.hrtime, the V8 profile's clock; written
// by bench/hip-core-timeline.ts), as milliseconds per window.
//   node --import tsx bench/profile-summary.ts out.cpuprofile [rows=40]
import { existsSync, readFileSync } from "node:fs";

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
const file = process.argv[2];
const rows = Number(process.argv[3] ?? 40);
const p = JSON.parse(readFileSync(file, "utf8")) as { nodes: Node[]; samples: number[]; timeDeltas: number[]; startTime: number };
// Windows over 50 ms are dropped (a retransmission, not the exchange being profiled).
const win: [number, number][] = existsSync(`${file}.win.json`) ? (JSON.parse(readFileSync(`${file}.win.json`, "utf8")) as [number, number][]).filter(([a, b]) => b - a < 50_000) : [];
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const key = (n: Node) => `${n.callFrame.functionName || "(anon)"} ${n.callFrame.url.split("/").slice(-2).join("/")}:${n.callFrame.lineNumber + 1}`;
const self = new Map<string, number>();
const total = new Map<string, number>();
let t = p.startTime;
let sum = 0;
for (let i = 0; i < p.samples.length; i++) {
  t += p.timeDeltas[i];
  if (win.length > 0 && !win.some(([a, b]) => t >= a && t <= b)) continue;
  const d = p.timeDeltas[i + 1] ?? 0;
  sum += d;
  const seen = new Set<string>();
  for (let id: number | undefined = p.samples[i]; id !== undefined; id = parent.get(id)) {
    const k = key(byId.get(id) as Node);
    if (id === p.samples[i]) self.set(k, (self.get(k) ?? 0) + d);
    if (!seen.has(k)) total.set(k, (total.get(k) ?? 0) + d);
    seen.add(k);
  }
}
const per = win.length > 0 ? win.length : 1;
const unit = win.length > 0 ? `ms per window (${win.length} windows)` : "ms";
console.log(`sampled ${(sum / 1000).toFixed(1)} ms; columns: ${unit}`);
for (const [name, m] of [
  ["self", self],
  ["total", total],
] as const) {
  console.log(`--- ${name}`);
  for (const [k, v] of [...m].sort((a, b) => b[1] - a[1]).slice(0, rows)) console.log((v / 1000 / per).toFixed(3).padStart(9), k);
}
