// iproute2 one-line output (captured from `ip -o monitor address link` on Linux 6.x) parsed into
// kernel interface state: link carrier, global addresses, renumbering, preference.
import assert from "node:assert/strict";
import { test } from "node:test";
import { KernelState, parseIpLine, preferenceOf } from "../../src/runtime/netlink.ts";

const LINES = {
  noCarrier: "3: eth0@eth1: <NO-CARRIER,BROADCAST,MULTICAST,UP,M-DOWN> mtu 1500 qdisc noqueue state LOWERLAYERDOWN group default \\    link/ether b2:b6:70:7f:60:48 brd ff:ff:ff:ff:ff:ff",
  up: "3: eth0@eth1: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default \\    link/ether b2:b6:70:7f:60:48 brd ff:ff:ff:ff:ff:ff",
  adminDown: "3: eth0@eth1: <BROADCAST,MULTICAST> mtu 1500 qdisc noqueue state DOWN group default \\    link/ether b2:b6:70:7f:60:48 brd ff:ff:ff:ff:ff:ff",
  add: "3: eth0    inet 10.5.0.2/24 scope global eth0\\       valid_lft forever preferred_lft forever",
  del: "Deleted 3: eth0    inet 10.5.0.2/24 scope global eth0\\       valid_lft forever preferred_lft forever",
  add2: "3: eth0    inet 10.5.0.3/24 scope global secondary eth0\\       valid_lft forever preferred_lft forever",
  v6: "3: eth0    inet6 2001:DB8::7/64 scope global \\       valid_lft forever preferred_lft forever",
  linkLocal: "2: eth1    inet6 fe80::f079:7dff:feb8:ee6f/64 scope link \\       valid_lft forever preferred_lft forever",
  route: "10.5.0.0/24 dev eth0 proto kernel scope link src 10.5.0.2 ",
  deletedRoute: "Deleted 10.5.0.0/24 dev eth0 proto kernel scope link src 10.5.0.2 ",
  lo: "1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever",
  // IPv6 Duplicate Address Detection (RFC 4862 §5.4), as a new address goes through it on a veth (Linux 6.x).
  tentative: "3: va    inet6 2001:db8:1::5/64 scope global tentative \\       valid_lft forever preferred_lft forever",
  dadDone: "3: va    inet6 2001:db8:1::5/64 scope global \\       valid_lft forever preferred_lft forever",
  dadFailed: "3: va    inet6 2001:db8:1::5/64 scope global tentative dadfailed \\       valid_lft forever preferred_lft forever",
  optimistic: "3: va    inet6 2001:db8:1::6/64 scope global optimistic \\       valid_lft forever preferred_lft forever",
  deprecated: "3: va    inet6 2001:db8:1::5/64 scope global deprecated \\       valid_lft forever preferred_lft 0sec",
  dump: "3: eth0@if2: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT group default qlen 1000\\    link/ether 56:3e:aa:11:22:33 brd ff:ff:ff:ff:ff:ff link-netns hm-1",
};

test("parse: links (carrier, admin state), addresses (added, deleted, scope), routes ignored", () => {
  assert.deepEqual(parseIpLine(LINES.noCarrier), { kind: "link", deleted: false, index: 3, name: "eth0", up: false });
  assert.deepEqual(parseIpLine(LINES.up), { kind: "link", deleted: false, index: 3, name: "eth0", up: true });
  assert.equal((parseIpLine(LINES.adminDown) as { up: boolean }).up, false);
  assert.equal((parseIpLine(LINES.dump) as { up: boolean }).up, true);
  assert.deepEqual(parseIpLine(LINES.add), { kind: "addr", deleted: false, index: 3, name: "eth0", ip: "10.5.0.2", scope: "global" });
  assert.deepEqual(parseIpLine(LINES.del), { kind: "addr", deleted: true, index: 3, name: "eth0", ip: "10.5.0.2", scope: "global" });
  assert.equal((parseIpLine(LINES.v6) as { ip: string }).ip, "2001:db8::7");
  assert.equal((parseIpLine(LINES.linkLocal) as { scope: string }).scope, "link");
  assert.equal(parseIpLine(LINES.route), undefined);
  assert.equal(parseIpLine(LINES.deletedRoute), undefined);
  assert.equal(parseIpLine("garbage"), undefined);
});

test("state: carrier loss and return, renumbering, link-local and loopback left out", () => {
  const s = new KernelState();
  s.load([LINES.up, LINES.add, LINES.lo, LINES.linkLocal]);
  assert.deepEqual([...s.interfaces.values()].map((i) => [i.name, i.up, i.addrs]), [["eth0", true, ["10.5.0.2"]]]);
  assert.equal(s.apply(parseIpLine(LINES.up)!), false, "no change");
  assert.equal(s.apply(parseIpLine(LINES.noCarrier)!), true);
  assert.equal(s.interfaces.get(3)?.up, false);
  assert.equal(s.apply(parseIpLine(LINES.up)!), true);
  assert.equal(s.apply(parseIpLine(LINES.add2)!), true);
  assert.equal(s.apply(parseIpLine(LINES.del)!), true);
  assert.deepEqual(s.interfaces.get(3)?.addrs, ["10.5.0.3"]);
  assert.equal(s.interfaceOf("10.5.0.3")?.name, "eth0");
  assert.equal(s.interfaceOf("10.5.0.2"), undefined);
  assert.equal(s.apply(parseIpLine(LINES.del)!), false, "already gone");
});

test("IPv6 DAD: a tentative address is not used until its DAD-complete event; one that failed DAD or went tentative again is gone", () => {
  assert.equal((parseIpLine(LINES.tentative) as { unusable?: true }).unusable, true);
  assert.equal((parseIpLine(LINES.dadDone) as { unusable?: true }).unusable, undefined);
  assert.equal((parseIpLine(LINES.optimistic) as { unusable?: true }).unusable, undefined, "optimistic DAD (RFC 4429): usable at once");
  assert.equal((parseIpLine(LINES.add) as { unusable?: true }).unusable, undefined, "an IPv4 label is no flag");
  const s = new KernelState();
  s.load([LINES.up]);
  assert.equal(s.apply(parseIpLine(LINES.tentative)!), false, "nothing to bind yet (the kernel refuses: EADDRNOTAVAIL)");
  assert.deepEqual(s.interfaces.get(3)?.addrs, []);
  assert.equal(s.apply(parseIpLine(LINES.dadDone)!), true, "DAD done: a change, so the host binds and announces it");
  assert.deepEqual(s.interfaces.get(3)?.addrs, ["2001:db8:1::5"]);
  assert.equal(s.apply(parseIpLine(LINES.tentative)!), true, "tentative again (link down and up): gone until DAD is done");
  assert.equal(s.apply(parseIpLine(LINES.dadFailed)!), false);
  assert.deepEqual(s.interfaces.get(3)?.addrs, []);
  assert.equal(s.apply(parseIpLine(LINES.optimistic)!), true);
});

test("IPv6 deprecated (preferred lifetime over): still an address, marked; renewed: no longer marked", () => {
  assert.equal((parseIpLine(LINES.deprecated) as { deprecated?: true }).deprecated, true);
  assert.equal((parseIpLine(LINES.dadDone) as { deprecated?: true }).deprecated, undefined);
  const s = new KernelState();
  s.load([LINES.up, LINES.dadDone]);
  assert.equal(s.apply(parseIpLine(LINES.deprecated)!), true, "a change: announced as not preferred");
  assert.deepEqual([s.interfaces.get(3)?.addrs, s.interfaces.get(3)?.deprecated], [["2001:db8:1::5"], ["2001:db8:1::5"]]);
  assert.equal(s.apply(parseIpLine(LINES.deprecated)!), false);
  assert.equal(s.apply(parseIpLine(LINES.dadDone)!), true, "renewed (a router advertised the prefix again)");
  assert.deepEqual(s.interfaces.get(3)?.deprecated, []);
});

test("preference: best first, unlisted 0", () => {
  assert.deepEqual(
    ["eth0", "wlan0", "eth9"].map((n) => preferenceOf(["eth0", "wlan0"], n)),
    [2, 1, 0],
  );
});
