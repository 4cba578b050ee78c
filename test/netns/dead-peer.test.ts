// Real kernel: A and B in two namespaces on one veth; a firewall in B's namespace silently drops
// HIP/ESP (no carrier change, no ICMP: what a dead middlebox or a crashed peer looks like). A keeps
// typing lines: it must say the peer stopped answering (every path silent, draft §3.3), say so
// again when the firewall goes, and give the association up after --peer-dead when it comes back
// for good (closed: unreachable), without waiting for UAL.
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { typeUntil } from "../helpers/proc.ts";
import { Lab, netnsSkip } from "./netns.ts";

const skip = netnsSkip(["nft"]);
const lab = new Lab();
after(() => lab.destroy());

const DROP = 'add table inet blk ; add chain inet blk in { type filter hook input priority 0 ; } ; add rule inet blk in udp dport 10500 drop ; add chain inet blk out { type filter hook output priority 0 ; } ; add rule inet blk out udp sport 10500 drop';

test("a silently firewalled peer: reported unreachable, reachable again, then given up after --peer-dead", { skip, timeout: 90_000 }, async () => {
  const nsA = lab.ns("a");
  const nsB = lab.ns("b");
  lab.link(nsA, "eth0", "10.96.0.1/24", nsB, "eth0", "10.96.0.2/24");
  const [keyA] = lab.keygen("a");
  const [keyB, hitB] = lab.keygen("b");
  const b = lab.hipmm(nsB, ["host", "--id", keyB, "--listen", "10.96.0.2:10500", "--k", "2", "--no-stdin", "--output", "lines"]);
  await b.waitFor("err", /listening on/);
  const a = lab.hipmm(nsA, ["host", "--id", keyA, "--listen", "10.96.0.1:10500", "--probe-interval", "200", "--failover-timeout", "500", "--peer-dead", "2000", "--connect", `${hitB}@10.96.0.2:10500`]);
  await a.waitFor("err", /established /);
  a.child.stdin.write("before\n");
  await b.waitFor("out", /^before\n/);

  await lab.run(nsB, ["nft", DROP]);
  await typeUntil(a, new RegExp(`no answer from ${hitB} for \\d+\\.\\d s on any path: probing`), "cut");
  await lab.run(nsB, ["nft", "delete table inet blk"]);
  await typeUntil(a, new RegExp(`${hitB} answers again`), "healed");
  await b.waitFor("out", /healed \d+\n/);
  assert.doesNotMatch(a.err, /closed/);

  await lab.run(nsB, ["nft", DROP]);
  await typeUntil(a, new RegExp(`association with ${hitB} closed \\(unreachable`), "gone");
  assert.doesNotMatch(a.err, /kernel: /, "no link event: the kernel saw nothing");
  a.child.stdin.end();
  assert.equal(await a.exited, 0);
});
