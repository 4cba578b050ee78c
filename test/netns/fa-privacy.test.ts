// Real kernel: location privacy by construction (issue 11 item 4). Private host H (`hipmm host
// --fa F --privacy`, two interfaces) connects to peer P through the FA; tcpdump on P's interface
// records every frame P receives or sends. H waits for the FAQ/FAA, runs the base exchange from
// the leased locator (through the FA), streams 100 numbered datagrams/s both ways, then moves:
// its preferred interface loses carrier, it renews the lease from eth1 at once and data flows
// again. Asserted: delivery both ways before and after the move, and that no captured frame
// carries either of H's own addresses (IP header or anywhere inside). The outage is printed.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, test } from "node:test";
import { Capture, carries, faWorld, startFa } from "./fa-lab.ts";
import { Lab, netnsSkip } from "./netns.ts";
import { streamBothWays } from "./stream.ts";

const skip = netnsSkip(["tcpdump"]);
const lab = new Lab();
after(() => lab.destroy());

test("--privacy via the FA: P never sees H's real address, across a move; data both ways", { skip, timeout: 90_000 }, async () => {
  const w = faWorld(lab, 95);
  const cap = new Capture(w.nsP, "eth0", join(lab.dir, "p.pcap"));
  await cap.ready();
  await startFa(lab, w);
  const p = lab.hipmm(w.nsP, ["host", "--id", w.keyP, "--listen", "10.95.3.2:10500", "--k", "4"]);
  await p.waitFor("err", /listening on/);
  const h = lab.hipmm(w.nsH, ["host", "--id", w.keyH, "--listen", "10.95.1.2:10500", "--listen", "10.95.2.2:10500", "--prefer", "eth0,eth1", "--fa", w.fa, "--privacy", "--connect", `${w.hitP}@10.95.3.2:10500`]);
  await h.waitFor("err", /leased 10\.95\.4\.2:10500 from FA/);
  const { up, down } = await streamBothWays(h, p, ["h", "p"], new RegExp(`established ${w.hitP}`));
  try {
    await up.waitArrivals(0, 100, 15_000);
    await down.waitArrivals(0, 100, 15_000);
    assert.match(p.err, new RegExp(`established ${w.hitH} at 10\\.95\\.4\\.2:10500`), "P knows H only at the leased locator");

    // Move: eth0 loses carrier; H renews from eth1 at once (FaClient.setFrom), the FA forwards there.
    const t0 = performance.now();
    await lab.run(w.nsR, ["ip", "link", "set", "h0", "down"]);
    await up.waitArrivals(t0, 100, 15_000);
    await down.waitArrivals(t0, 100, 15_000);
    const o = { up: up.outage(t0), down: down.outage(t0) };
    console.log(`# privacy move (eth0 down, lease renewed from eth1): outage H→P ${o.up.ms.toFixed(0)} ms (${o.up.lost} lost), P→H ${o.down.ms.toFixed(0)} ms (${o.down.lost} lost)`);
    assert.match(h.err, /leased 10\.95\.4\.2:10500 from FA 10\.95\.4\.2:10500 \(renewed\)/);
  } finally {
    up.stop();
    down.stop();
  }
  await new Promise((r) => setTimeout(r, 300));
  const pkts = await cap.stop();
  const bySrc: Record<string, number> = {};
  for (const x of pkts) bySrc[`${x.src}>${x.dst}`] = (bySrc[`${x.src}>${x.dst}`] ?? 0) + 1;
  console.log(`# capture at P by source > destination: ${JSON.stringify(bySrc)}`);
  const leaks = pkts.filter((x) => w.hAddrs.some((a) => carries(x, a)));
  const fromFa = pkts.filter((x) => x.src === "10.95.4.2").length;
  console.log(`# capture at P: ${pkts.length} IPv4 frames, ${fromFa} from the FA (P got ${up.got.size} of H's datagrams), ${leaks.length} carrying H's addresses`);
  assert.ok(fromFa > 100, `the capture saw the stream (${fromFa} frames from the FA)`);
  assert.deepEqual(leaks.map((x) => `${x.src} → ${x.dst} (${x.frame.length} bytes)`), [], "no frame at P carries H's real address");
});
