// Real kernel: both hosts behind NATs, a Forwarding Agent on the public side (issue 11 item 7).
// A and B each sit behind their own Linux router that masquerades UDP (nftables); neither can
// reach the other's private network, nor receive unsolicited packets. B leases a locator from
// the FA (`hipmm host --fa`: the lease holder's NAT mapping is what the FA forwards to) and A
// runs the base exchange with B at B's leased locator: the FA forwards the I1 by B's HIT, the
// rest by SPI. Data flows both ways at 100 datagrams/s; then A's NAT rebinds (new public port,
// conntrack flushed) and B follows A's authenticated traffic, relayed by the FA, to the new
// mapping after the address check.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Proc } from "../helpers/proc.ts";
import { Lab, netnsSkip } from "./netns.ts";
import { streamBothWays } from "./stream.ts";

const skip = netnsSkip(["nft", "conntrack"]);
const lab = new Lab();
let a: Proc;
let b: Proc;
let nsRA: string;
let hitB: string;
const FA = "10.95.30.2:10500";

before(async () => {
  if (skip) return;
  const nsA = lab.ns("a");
  nsRA = lab.ns("ra");
  const nsB = lab.ns("b");
  const nsRB = lab.ns("rb");
  const nsI = lab.ns("i"); // "the internet": routes between the NATs' outsides and the FA
  const nsF = lab.ns("f");
  lab.link(nsA, "eth0", "10.95.1.2/24", nsRA, "in0", "10.95.1.1/24");
  lab.link(nsB, "eth0", "10.95.2.2/24", nsRB, "in0", "10.95.2.1/24");
  lab.link(nsRA, "out0", "10.95.10.2/24", nsI, "ra0", "10.95.10.1/24");
  lab.link(nsRB, "out0", "10.95.20.2/24", nsI, "rb0", "10.95.20.1/24");
  lab.link(nsF, "eth0", "10.95.30.2/24", nsI, "f0", "10.95.30.1/24");
  lab.exec(nsI, ["sysctl", "-q", "-w", "net.ipv4.ip_forward=1"]);
  lab.exec(nsA, ["ip", "route", "add", "default", "via", "10.95.1.1"]);
  lab.exec(nsB, ["ip", "route", "add", "default", "via", "10.95.2.1"]);
  lab.exec(nsRA, ["ip", "route", "add", "default", "via", "10.95.10.1"]);
  lab.exec(nsRB, ["ip", "route", "add", "default", "via", "10.95.20.1"]);
  lab.exec(nsF, ["ip", "route", "add", "default", "via", "10.95.30.1"]);
  lab.nat(nsRA, "out0", "20000-20999");
  lab.nat(nsRB, "out0", "40000-40999");
  const [keyF] = lab.keygen("f");
  const [keyA] = lab.keygen("a");
  const [keyB, hit] = lab.keygen("b");
  hitB = hit;
  const f = lab.hipmm(nsF, ["fa", "--id", keyF, "--udp", FA, "--puzzle", "off"]);
  await f.waitFor("out", /ready/);
  b = lab.hipmm(nsB, ["host", "--id", keyB, "--listen", "10.95.2.2:10500", "--k", "4", "--fa", FA]);
  await b.waitFor("err", /leased 10\.95\.30\.2:10500 from FA/);
  a = lab.hipmm(nsA, ["host", "--id", keyA, "--listen", "10.95.1.2:10500", "--connect", `${hitB}@${FA}`]);
});

after(() => lab.destroy());

test("both hosts behind NATs: base exchange through the FA, data both ways (100 datagrams/s), A's NAT rebinds", { skip }, async (t) => {
  const { up, down } = await streamBothWays(a, b, ["a", "b"], new RegExp(`established ${hitB}`));
  try {
    const t0 = performance.now();
    await up.waitArrivals(t0, 50, 10_000);
    await down.waitArrivals(t0, 50, 10_000);
    // A reached B at B's leased locator; B saw A at A's NAT's public mapping, relayed by the FA.
    assert.match(a.err, new RegExp(`established ${hitB} at 10\\.95\\.30\\.2:10500`));
    assert.match(b.err, /established \S+ at 10\.95\.10\.2:20\d\d\d/);
    // B reaches A only through the FA: never from its own (private) address, which A's NAT drops.
    assert.doesNotMatch(b.err, /path 10\.95\.2\.2:10500 →/);

    await t.test("A's NAT rebinds (new public port, conntrack flushed): data flows again both ways", async () => {
      const t1 = performance.now();
      const before = b.err.length;
      await lab.rebind(nsRA, "out0", "30000-30999");
      await up.waitArrivals(t1, 100, 10_000);
      await down.waitArrivals(t1, 100, 10_000);
      const o = { up: up.outage(t1), down: down.outage(t1) };
      console.log(`# via FA, A's NAT rebinding: outage A→B ${o.up.ms.toFixed(0)} ms (${o.up.lost} lost), B→A ${o.down.ms.toFixed(0)} ms (${o.down.lost} lost)`);
      assert.match(b.err.slice(before), /path 10\.95\.30\.2:10500 → 10\.95\.10\.2:30\d\d\d/, "B moved to A's new mapping");
      assert.ok(o.up.ms < 1000 && o.down.ms < 1000, `recovered both ways within 1 s (A→B ${o.up.ms.toFixed(0)}, B→A ${o.down.ms.toFixed(0)})`);
    });
  } finally {
    up.stop();
    down.stop();
  }
});
