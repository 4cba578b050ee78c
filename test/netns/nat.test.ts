// Real kernel, real NAT: host A sits behind a Linux router that masquerades UDP (nftables), peer B
// is on the router's outside network and has no route to A's private network. Two `hipmm host`
// processes run the base exchange and stream numbered datagrams both ways at 100/s; then the NAT
// rebinds (new public port range + conntrack flushed) and data must flow again both ways.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { Lab, netnsSkip } from "./netns.ts";
import { Stream, streamBothWays } from "./stream.ts";
import type { Proc } from "../helpers/proc.ts";

const skip = netnsSkip(["nft", "conntrack"]);
const lab = new Lab();
let a: Proc;
let b: Proc;
let nsR: string;
let hitB: string;

before(async () => {
  if (skip) return;
  const nsA = lab.ns("a");
  nsR = lab.ns("r");
  const nsB = lab.ns("b");
  lab.link(nsA, "eth0", "10.91.1.2/24", nsR, "eth0", "10.91.1.1/24");
  lab.link(nsR, "eth1", "10.91.2.1/24", nsB, "eth0", "10.91.2.2/24");
  lab.exec(nsA, ["ip", "route", "add", "default", "via", "10.91.1.1"]);
  lab.nat(nsR, "eth1", "20000-20999");
  const [keyA] = lab.keygen("a");
  const [keyB, hit] = lab.keygen("b");
  hitB = hit;
  // Idle UDP mappings die after 2 s here; A's keepalives (every 500 ms) must hold its mapping.
  lab.exec(nsR, ["sysctl", "-q", "-w", "net.netfilter.nf_conntrack_udp_timeout=2", "net.netfilter.nf_conntrack_udp_timeout_stream=2"]);
  b = lab.hipmm(nsB, ["host", "--id", keyB, "--listen", "10.91.2.2:10500", "--k", "4", "--keepalive", "0"]);
  await b.waitFor("err", /listening on/);
  a = lab.hipmm(nsA, ["host", "--id", keyA, "--listen", "10.91.1.2:10500", "--connect", `${hitB}@10.91.2.2:10500`, "--keepalive", "500"]);
});

after(() => lab.destroy());

test("behind a NAT: base exchange completes, then data flows both ways (100 datagrams/s)", { skip }, async (t) => {
  const { up, down } = await streamBothWays(a, b, ["a", "b"], new RegExp(`established ${hitB}`));
  const t0 = performance.now();
  await up.waitArrivals(t0, 50, 10_000);
  await down.waitArrivals(t0, 50, 10_000);
  // B saw A only through the NAT's public side (no route to 10.91.1.0/24 exists in B).
  assert.match(b.err, /established \S+ at 10\.91\.2\.1:20\d\d\d/);

  await t.test("NAT rebinding (new public port, conntrack flushed): data flows again both ways", async () => {
    const t1 = performance.now();
    const before = b.err.length;
    await lab.rebind(nsR, "eth1", "30000-30999");
    await up.waitArrivals(t1, 100, 10_000);
    await down.waitArrivals(t1, 100, 10_000);
    const o = { up: up.outage(t1), down: down.outage(t1) };
    console.log(`# NAT rebinding outage: A→B ${o.up.ms.toFixed(0)} ms (${o.up.lost} lost), B→A ${o.down.ms.toFixed(0)} ms (${o.down.lost} lost)`);
    // B followed A's authenticated traffic to the new mapping after the address check (AC/ACR).
    assert.match(b.err.slice(before), /path 10\.91\.2\.2:10500 → 10\.91\.2\.1:30\d\d\d/);
    // Acceptance: both ways within 1 s (the `netns` bench row measures it the same way).
    assert.ok(o.up.ms < 1000 && o.down.ms < 1000, `recovered both ways within 1 s (A→B ${o.up.ms.toFixed(0)} ms, B→A ${o.down.ms.toFixed(0)} ms)`);
  });
  up.stop();
  down.stop();

  await t.test("idle for 4 s (mapping timeout 2 s): NAT keepalives hold the mapping, B reaches A", async () => {
    await new Promise((r) => setTimeout(r, 4000));
    const t2 = performance.now();
    const late = new Stream(b, a, "c");
    late.start();
    try {
      await late.waitArrivals(t2, 20, 5000);
    } finally {
      late.stop();
    }
    const o = late.outage(t2);
    console.log(`# after idle: B→A first datagram after ${o.ms.toFixed(0)} ms (${o.lost} lost)`);
    assert.equal(o.lost, 0, "nothing lost: the mapping was still there");
  });
});
