// Real-kernel mobility rows (network namespaces, root only; `npm run bench -- netns`): two
// `hipmm host` processes streaming 100 numbered datagrams/s each way. Rows: outage per direction
// and datagrams lost when the primary interface loses carrier — with kernel events (default) vs
// `--no-watch` (silence failover only, the baseline) — and after a NAT rebinding. The start is the
// moment the kernel change is requested (the `ip` command's own run time is inside the number).
import { Lab, netnsSkip } from "../test/netns/netns.ts";
import { streamBothWays } from "../test/netns/stream.ts";
import { type Outage, settled, streaming, twoInterfaces } from "../test/netns/two-interfaces.ts";
import type { BenchRow } from "./run.ts";
import { costRow } from "./util.ts";

async function primaryDown(watch: boolean): Promise<Outage> {
  const lab = new Lab();
  try {
    const t = await twoInterfaces(lab, "10.93", watch ? [] : ["--no-watch"]);
    const { up, down } = await streaming(t);
    await new Promise((res) => setTimeout(res, 500));
    const t0 = performance.now();
    await lab.run(t.r, ["ip", "link", "set", "h0", "down"]);
    const o = await settled(up, down, t0, 5000);
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
    const o = await settled(up, down, t0, 5000);
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
