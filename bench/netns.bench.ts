// Real-kernel mobility rows (network namespaces, root only; `npm run bench -- netns`): two
// `hipmm host` processes streaming 100 numbered datagrams/s each way. Rows: outage per direction
// and datagrams lost when the primary interface loses carrier — with kernel events (default) vs
// `--no-watch` (silence failover only, the baseline) — and after a NAT rebinding. The start is the
// moment the kernel change is requested (the `ip` command's own run time is inside the number).
import { Lab, netnsSkip } from "../test/netns/netns.ts";
import { type Stream, streamBothWays } from "../test/netns/stream.ts";
import type { BenchRow } from "./run.ts";
import { costRow } from "./util.ts";

async function settle(up: Stream, down: Stream, t: number): Promise<{ up: { ms: number; lost: number }; down: { ms: number; lost: number } }> {
  await up.waitArrivals(t, 100, 15_000);
  await down.waitArrivals(t, 100, 15_000);
  return { up: up.outage(t, 5000), down: down.outage(t, 5000) };
}

async function primaryDown(watch: boolean) {
  const lab = new Lab();
  try {
    const h = lab.ns("h");
    const r = lab.ns("r");
    const p = lab.ns("p");
    lab.link(h, "eth0", "10.93.1.2/24", r, "h0", "10.93.1.1/24");
    lab.link(h, "eth1", "10.93.2.2/24", r, "h1", "10.93.2.1/24");
    lab.link(r, "p0", "10.93.3.1/24", p, "eth0", "10.93.3.2/24");
    lab.exec(r, ["sysctl", "-q", "-w", "net.ipv4.ip_forward=1", "net.ipv4.conf.all.rp_filter=0"]);
    lab.exec(p, ["ip", "route", "add", "default", "via", "10.93.3.1"]);
    for (const n of ["1", "2"]) {
      lab.exec(h, ["ip", "rule", "add", "from", `10.93.${n}.0/24`, "table", n]);
      lab.exec(h, ["ip", "route", "add", "default", "via", `10.93.${n}.1`, "dev", n === "1" ? "eth0" : "eth1", "table", n]);
    }
    const [kh] = lab.keygen("h");
    const [kp, hitP] = lab.keygen("p");
    const pp = lab.hipmm(p, ["host", "--id", kp, "--listen", "10.93.3.2:10500", "--k", "4"]);
    await pp.waitFor("err", /listening on/);
    const hh = lab.hipmm(h, ["host", "--id", kh, "--listen", "10.93.1.2:10500", "--listen", "10.93.2.2:10500", "--prefer", "eth0,eth1", "--connect", `${hitP}@10.93.3.2:10500`, ...(watch ? [] : ["--no-watch"])]);
    const { up, down } = await streamBothWays(hh, pp, ["h", "p"]);
    await up.waitArrivals(0, 100, 10_000);
    await down.waitArrivals(0, 100, 10_000);
    await new Promise((res) => setTimeout(res, 500));
    const t0 = performance.now();
    await lab.run(r, ["ip", "link", "set", "h0", "down"]);
    const o = await settle(up, down, t0);
    up.stop();
    down.stop();
    return o;
  } finally {
    await lab.destroy();
  }
}

async function natRebinding() {
  const lab = new Lab();
  try {
    const a = lab.ns("a");
    const r = lab.ns("r");
    const b = lab.ns("b");
    lab.link(a, "eth0", "10.94.1.2/24", r, "eth0", "10.94.1.1/24");
    lab.link(r, "eth1", "10.94.2.1/24", b, "eth0", "10.94.2.2/24");
    lab.exec(a, ["ip", "route", "add", "default", "via", "10.94.1.1"]);
    lab.nat(r, "eth1", "20000-20999");
    const [ka] = lab.keygen("a");
    const [kb, hitB] = lab.keygen("b");
    const bb = lab.hipmm(b, ["host", "--id", kb, "--listen", "10.94.2.2:10500", "--k", "4"]);
    await bb.waitFor("err", /listening on/);
    const aa = lab.hipmm(a, ["host", "--id", ka, "--listen", "10.94.1.2:10500", "--connect", `${hitB}@10.94.2.2:10500`]);
    const { up, down } = await streamBothWays(aa, bb, ["a", "b"]);
    await up.waitArrivals(0, 100, 10_000);
    await down.waitArrivals(0, 100, 10_000);
    const t0 = performance.now();
    await lab.rebind(r, "eth1", "30000-30999");
    const o = await settle(up, down, t0);
    up.stop();
    down.stop();
    return o;
  } finally {
    await lab.destroy();
  }
}

export async function run(_argv: string[]): Promise<BenchRow[]> {
  const skip = netnsSkip(["nft", "conntrack"]);
  if (skip) {
    console.error(`bench netns skipped: ${skip}`);
    return [];
  }
  const ev = await primaryDown(true);
  const silent = await primaryDown(false);
  const nat = await natRebinding();
  return [
    costRow("netns primary interface down, kernel events (REA) vs --no-watch (silence failover): outage host→peer", "ms", ev.up.ms, silent.up.ms, { lost: ev.up.lost, baseline_lost: silent.up.lost }),
    costRow("netns primary interface down, kernel events (REA) vs --no-watch (silence failover): outage peer→host", "ms", ev.down.ms, silent.down.ms, { lost: ev.down.lost, baseline_lost: silent.down.lost }),
    costRow("netns NAT rebinding (new public port, conntrack flushed): outage host→peer", "ms", nat.up.ms, null, { lost: nat.up.lost }),
    costRow("netns NAT rebinding: outage peer→host (AC/ACR check of the new mapping, then move)", "ms", nat.down.ms, null, { lost: nat.down.lost }),
  ];
}
