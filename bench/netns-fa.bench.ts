// Real-kernel Forwarding Agent rows (network namespaces, root only; `npm run bench -- netns`):
// - forwarding rate to a healthy lease holder while another holder is unreachable (its address
//   gone: the FA's kernel asks ARP forever) and blasted at the same rate, vs the same load with
//   no unreachable holder (ratio: with / without; 1.0 = no head-of-line blocking);
// - FA SIGKILL + restart with --store: ms from the FA being ready to the first datagram
//   delivered, each way (100 datagrams/s both ways, private host via the FA);
// - --privacy via the FA, the host's preferred interface loses carrier: outage each way (the
//   host renews its lease from the other interface at once).
import { join } from "node:path";
import { blast, faWorld, holderOnFaLan, startFa, statsOf } from "../test/netns/fa-lab.ts";
import { Lab, netnsSkip } from "../test/netns/netns.ts";
import { type Stream, streamBothWays } from "../test/netns/stream.ts";
import type { BenchRow } from "./run.ts";
import { costRow, rateRow } from "./util.ts";

const RATE = 2000; // datagrams/s offered to each blasted holder
const MS = 3000;

function spiOf(faOut: string, ip: string): number {
  const l = faOut.split("\n").filter((x) => x.includes('"lease granted"') && x.includes(`"ip":"${ip}"`)).at(-1);
  if (!l) throw new Error(`no lease for ${ip} in the FA log`);
  return JSON.parse(l).spiMin as number;
}

async function relayed(h: ReturnType<Lab["hipmm"]>, file: string): Promise<number> {
  const s = (await statsOf(h, file)) as { esp?: Record<string, number> };
  return s.esp?.["rx.relay"] ?? 0;
}

async function holRate() {
  const lab = new Lab();
  try {
    const w = faWorld(lab, 98);
    const g = holderOnFaLan(lab, w);
    const { fa } = await startFa(lab, w);
    const hStats = join(lab.dir, "h.stats");
    const h = lab.hipmm(w.nsH, ["host", "--id", w.keyH, "--listen", "10.98.1.2:10500", "--fa", w.fa, "--privacy", "--stats-file", hStats]);
    await h.waitFor("err", /leased /);
    const gh = lab.hipmm(g.nsG, ["host", "--id", g.keyG, "--listen", `${g.addr}:10500`, "--fa", w.fa]);
    await gh.waitFor("err", /leased /);
    const spiH = spiOf(fa.out, "10.98.1.2");
    const spiG = spiOf(fa.out, g.addr);
    // Without an unreachable holder (G still answers, and is blasted too: same FA load).
    let a = await relayed(h, hStats);
    let t = performance.now();
    await blast(lab, w.nsP, w.fa, [spiH, spiG], RATE, MS);
    const without = ((await relayed(h, hStats)) - a) / ((performance.now() - t) / 1000);
    await lab.run(g.nsG, ["ip", "addr", "flush", "dev", "eth0"]);
    a = await relayed(h, hStats);
    t = performance.now();
    await blast(lab, w.nsP, w.fa, [spiH, spiG], RATE, MS);
    const withDead = ((await relayed(h, hStats)) - a) / ((performance.now() - t) / 1000);
    const st = (await statsOf(fa, join(lab.dir, "fa.stats"))) as { holders: unknown; drops: Record<string, number> };
    return { without, withDead, holders: st.holders, holderDead: st.drops.holder_dead ?? 0 };
  } finally {
    await lab.destroy();
  }
}

function firstAfter(s: Stream, t: number): number {
  let best = Number.POSITIVE_INFINITY;
  for (const [, at] of s.got) if (at >= t && at < best) best = at;
  return best - t;
}

type World = ReturnType<typeof faWorld>;
type FaProc = Awaited<ReturnType<typeof startFa>>["fa"];

/** FA, P, and private H via the FA streaming 100 datagrams/s both ways; then `act`. */
async function streaming<T>(net: number, hArgs: string[], faArgs: string[], act: (lab: Lab, w: World, fa: FaProc, s: { up: Stream; down: Stream }) => Promise<T>): Promise<T> {
  const lab = new Lab();
  try {
    const w = faWorld(lab, net);
    const { fa } = await startFa(lab, w, faArgs.map((x) => (x === "STORE" ? w.faStore : x)));
    const p = lab.hipmm(w.nsP, ["host", "--id", w.keyP, "--listen", `10.${net}.3.2:10500`, "--k", "4"]);
    await p.waitFor("err", /listening on/);
    const h = lab.hipmm(w.nsH, ["host", "--id", w.keyH, ...hArgs, "--fa", w.fa, "--privacy", "--connect", `${w.hitP}@10.${net}.3.2:10500`]);
    const s = await streamBothWays(h, p, ["h", "p"], new RegExp(`established ${w.hitP}`));
    try {
      await s.up.waitArrivals(0, 100, 15_000);
      await s.down.waitArrivals(0, 100, 15_000);
      return await act(lab, w, fa, s);
    } finally {
      s.up.stop();
      s.down.stop();
    }
  } finally {
    await lab.destroy();
  }
}

/** FA SIGKILL + restart with its store: ms from ready to the first datagram each way. */
function restart() {
  return streaming(99, ["--listen", "10.99.1.2:10500"], ["--store", "STORE"], async (lab, w, fa, { up, down }) => {
    const tKill = performance.now();
    fa.child.kill("SIGKILL");
    await fa.exited;
    const again = await startFa(lab, w, ["--store", w.faStore]);
    const t = again.readyAt;
    await up.waitArrivals(t, 100, 15_000);
    await down.waitArrivals(t, 100, 15_000);
    return { up: firstAfter(up, t), down: firstAfter(down, t), down_ms: t - tKill, lost: { up: up.outage(tKill, 15_000).lost, down: down.outage(tKill, 15_000).lost } };
  });
}

/** --privacy, preferred interface loses carrier: the lease is renewed from eth1 at once. */
function privacyMove() {
  return streaming(100, ["--listen", "10.100.1.2:10500", "--listen", "10.100.2.2:10500", "--prefer", "eth0,eth1"], [], async (lab, w, _fa, { up, down }) => {
    await new Promise((r) => setTimeout(r, 300));
    const t0 = performance.now();
    await lab.run(w.nsR, ["ip", "link", "set", "h0", "down"]);
    await up.waitArrivals(t0, 100, 15_000);
    await down.waitArrivals(t0, 100, 15_000);
    return { up: up.outage(t0), down: down.outage(t0) };
  });
}

export async function run(_argv: string[]): Promise<BenchRow[]> {
  const skip = netnsSkip();
  if (skip) {
    console.error(`bench netns-fa skipped: ${skip}`);
    return [];
  }
  const hol = await holRate();
  const rs = await restart();
  const mv = await privacyMove();
  return [
    costRow("netns FA SIGKILL + restart with --store: from the FA being ready to the first datagram delivered host→peer (target ≤ 100 ms)", "ms", rs.up, null, { fa_down_ms: Math.round(rs.down_ms), lost: rs.lost.up }),
    costRow("netns FA SIGKILL + restart with --store: from the FA being ready to the first datagram delivered peer→host", "ms", rs.down, null, { lost: rs.lost.down }),
    costRow("netns --privacy via the FA, preferred interface down (lease renewed from the other at once): outage host→peer", "ms", mv.up.ms, null, { lost: mv.up.lost }),
    costRow("netns --privacy via the FA, preferred interface down: outage peer→host", "ms", mv.down.ms, null, { lost: mv.down.lost }),
    rateRow("netns FA forwarding rate to a healthy lease holder, one other holder unreachable (no ARP answer) vs none, both blasted", "datagrams/s", hol.withDead, hol.without, { offered: RATE, holder_dead_drops: hol.holderDead, holders: hol.holders }),
  ];
}
