// Real kernel: one unreachable lease holder must not hold up forwarding for the others (issue 11
// item 5). H (private, via the FA) streams 100 numbered datagrams/s both ways with P. Holder G
// sits on the FA's own LAN, leases, then loses its address: the FA's kernel asks ARP for it
// forever. A load generator in P sends 2000 datagrams/s to G's leased SPI through the FA for 5 s.
// Asserted: H↔P keep delivering during that time (≥ 90% of the datagrams sent in the window
// arrive; the longest gap is printed), and the FA noticed G stopped answering: its probes went
// unanswered, G was declared dead (stats holders.died) and the rest was dropped, counted
// (holder_dead), not sent.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, test } from "node:test";
import { blast, faWorld, holderOnFaLan, startFa, statsOf } from "./fa-lab.ts";
import { Lab, netnsSkip } from "./netns.ts";
import { streamBothWays } from "./stream.ts";

const skip = netnsSkip();
const lab = new Lab();
after(() => lab.destroy());

test("an unreachable lease holder (no ARP answer) does not delay the others; the FA declares it dead", { skip, timeout: 90_000 }, async () => {
  const w = faWorld(lab, 97);
  const g = holderOnFaLan(lab, w);
  const { fa } = await startFa(lab, w);
  const p = lab.hipmm(w.nsP, ["host", "--id", w.keyP, "--listen", "10.97.3.2:10500", "--k", "4"]);
  await p.waitFor("err", /listening on/);
  const h = lab.hipmm(w.nsH, ["host", "--id", w.keyH, "--listen", "10.97.1.2:10500", "--fa", w.fa, "--privacy", "--connect", `${w.hitP}@10.97.3.2:10500`]);
  await h.waitFor("err", /leased /);
  const gh = lab.hipmm(g.nsG, ["host", "--id", g.keyG, "--listen", `${g.addr}:10500`, "--fa", w.fa]);
  await gh.waitFor("err", /leased /);
  const grant = fa.out.split("\n").filter((l) => l.includes('"lease granted"') && l.includes(`"ip":"${g.addr}"`)).at(-1);
  assert.ok(grant, "G's lease in the FA log");
  const spiG = JSON.parse(grant).spiMin as number;
  const { up, down } = await streamBothWays(h, p, ["h", "p"], new RegExp(`established ${w.hitP}`));
  try {
    await up.waitArrivals(0, 100, 15_000);
    await down.waitArrivals(0, 100, 15_000);
    await lab.run(g.nsG, ["ip", "addr", "flush", "dev", "eth0"]); // G is gone: no ARP answer ever
    const t0 = performance.now();
    const sent = Number(await blast(lab, w.nsP, w.fa, [spiG], 2000, 5000));
    const t1 = performance.now();
    const window = (s: typeof up) => {
      const ks = s.sent.map((at, k) => [at, k] as const).filter(([at]) => at >= t0 && at <= t1 - 200);
      return { sent: ks.length, got: ks.filter(([, k]) => s.got.has(k)).length, gap: s.outage(t0, t1 - t0 - 200).ms };
    };
    const o = { up: window(up), down: window(down) };
    const st = (await statsOf(fa, join(lab.dir, "fa.stats"))) as { holders: { died: number; probes: number }; drops: Record<string, number>; udpSend: unknown };
    console.log(`# unreachable holder blasted with ${sent} datagrams in ${(t1 - t0).toFixed(0)} ms: H→P ${o.up.got}/${o.up.sent} delivered (longest gap ${o.up.gap.toFixed(0)} ms), P→H ${o.down.got}/${o.down.sent} (longest gap ${o.down.gap.toFixed(0)} ms)`);
    console.log(`# FA: holders ${JSON.stringify(st.holders)}, holder_dead ${st.drops.holder_dead ?? 0}, holder_unconfirmed ${st.drops.holder_unconfirmed ?? 0}, udpSend ${JSON.stringify(st.udpSend)}`);
    assert.ok(o.up.sent > 100 && o.up.got >= 0.9 * o.up.sent, `H→P kept delivering: ${o.up.got}/${o.up.sent}`);
    assert.ok(o.down.sent > 100 && o.down.got >= 0.9 * o.down.sent, `P→H kept delivering: ${o.down.got}/${o.down.sent}`);
    assert.ok(st.holders.died >= 1, "G was declared dead");
    assert.ok((st.drops.holder_dead ?? 0) > sent / 2, `most of G's traffic dropped, not queued: ${st.drops.holder_dead}`);
    assert.match(fa.out, /lease holder-dead/);
  } finally {
    up.stop();
    down.stop();
  }
});
