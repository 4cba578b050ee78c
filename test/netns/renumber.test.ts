// Real kernel, IPv6: a host renumbered to a new IPv6 address (a new prefix, SLAAC, a DHCPv6
// lease) gets it through Duplicate Address Detection first (RFC 4862 §5.4): `ip monitor` reports
// it "tentative", when the kernel still refuses to bind it (EADDRNOTAVAIL), then again without
// the flag about a second later. The kernel watcher took the first event as the address, failed
// to bind it, and saw no change in the second: the host never used its new address (its peer
// kept sending to the old one, gone). Now a tentative address counts once DAD is done.
// And the families it follows were those of its bound addresses: a host whose only address went
// before the new one came (DHCP, or the DAD above) derived none and bound nothing ever again, and
// one that moved from an IPv4 network to an IPv6 one never took the IPv6 address. Both now.
//   H eth0 2001:db8:7::2 (then ::3, with DAD) — P eth0 2001:db8:7::1; `hipmm host` on both.
//   H eth0 10.93.0.2 (then .3, half a second later) — P eth0 10.93.0.1.
// Also: `ip monitor` itself dying (killed, or its netlink socket overrun) left the host blind to
// every later change; it is started again and the kernel's state loaded anew. And a library host
// follows its interfaces the same way when asked (udp(listen, { followInterfaces: true })), on
// Node (kernel events) and on Deno (Deno.networkInterfaces() polled).
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { denoPath, denoSkip } from "../helpers/deno.ts";
import { Proc } from "../helpers/proc.ts";
import { Lab, netnsSkip, sh } from "./netns.ts";

const skip = netnsSkip();
const FOLLOW = join(import.meta.dirname, "fixtures", "api-follow.ts");
const FOLLOW_DENO = join(import.meta.dirname, "fixtures", "deno-follow.ts");
const lab = new Lab();
after(() => lab.destroy());

/** H and P on one link, `hipmm host` on both, H connected to P; returns H, P and their hosts. */
async function pair(cidrH: string, cidrP: string, listenH: string, listenP: string, extra: string[] = [], tag = "", hostArgs: string[] = []) {
  const fam = `${cidrH.includes(":") ? 6 : 4}${tag}`;
  const h = lab.ns(`h${fam}`);
  const p = lab.ns(`p${fam}`);
  lab.link(h, "eth0", undefined, p, "eth0", undefined);
  lab.exec(h, ["ip", "addr", "add", cidrH, "dev", "eth0", ...extra]);
  lab.exec(p, ["ip", "addr", "add", cidrP, "dev", "eth0", ...extra]);
  const [keyH] = lab.keygen(`h${fam}`);
  const [keyP, hitP] = lab.keygen(`p${fam}`);
  const peer = lab.hipmm(p, ["host", "--id", keyP, "--listen", listenP, "--k", "4"]);
  await peer.waitFor("err", /listening on/);
  const host = lab.hipmm(h, ["host", "--id", keyH, "--listen", listenH, "--connect", `${hitP}@${listenP}`, ...hostArgs]);
  await host.waitFor("err", /watching interfaces \(netlink\)/);
  await host.waitFor("err", new RegExp(`established ${hitP}`));
  return { h, host, peer };
}

test("IPv6 renumbering through DAD: the new address is bound and announced once DAD is done", { skip, timeout: 60_000 }, async () => {
  const { h, host, peer } = await pair("2001:db8:7::2/64", "2001:db8:7::1/64", "[2001:db8:7::2]:10500", "[2001:db8:7::1]:10500", ["nodad"]);
  // Renumbered: the new address goes through DAD (about 1 s on a veth), the old one goes at once.
  await lab.run(h, ["sh", "-c", "ip -6 addr add 2001:db8:7::3/64 dev eth0 && ip -6 addr del 2001:db8:7::2/64 dev eth0"]);
  await host.waitFor("err", /kernel: \+2001:db8:7::3 on eth0/, 10_000);
  // P verified the new address (AC/ACR) and moved its path there.
  await peer.waitFor("err", /path \[2001:db8:7::1\]:10500 → \[2001:db8:7::3\]:10500/, 10_000).catch((e: Error) => assert.fail(`${e.message}\nH: ${host.err}`));
  const dad = lab.exec(h, ["ip", "-6", "addr", "show", "dev", "eth0"]);
  assert.match(dad, /2001:db8:7::3\/64 scope global\s/, "DAD ran and finished (the address was tentative first)");
});

test("IPv4, the only address renumbered break-before-make: the new one is bound and announced", { skip, timeout: 60_000 }, async () => {
  const { h, host, peer } = await pair("10.93.0.2/24", "10.93.0.1/24", "10.93.0.2:10500", "10.93.0.1:10500");
  await lab.run(h, ["sh", "-c", "ip addr del 10.93.0.2/24 dev eth0 && sleep 0.5 && ip addr add 10.93.0.3/24 dev eth0"]);
  await host.waitFor("err", /kernel: \+10\.93\.0\.3 on eth0/, 10_000);
  await peer.waitFor("err", /path 10\.93\.0\.1:10500 → 10\.93\.0\.3:10500/, 10_000).catch((e: Error) => assert.fail(`${e.message}\nH: ${host.err}`));
});

test("ip monitor killed: it is started again and the state loaded anew; a renumbering in the gap is followed", { skip, timeout: 60_000 }, async () => {
  const { h, host, peer } = await pair("10.94.0.2/24", "10.94.0.1/24", "10.94.0.2:10500", "10.94.0.1:10500", [], "m");
  const monitors = sh("ip", ["netns", "pids", h])
    .split("\n")
    .filter((pid) => pid && readFileSync(`/proc/${pid}/cmdline`, "utf8").startsWith("ip\0-o\0monitor"));
  assert.equal(monitors.length, 1, "one `ip monitor` in H's namespace");
  process.kill(Number(monitors[0]), "SIGKILL");
  await host.waitFor("err", /ip monitor exited \(code 137\); starting it again in 1 s/, 5000);
  // Renumbered while no monitor runs: only the reload after the restart can see it.
  // (Deleted first: deleting a primary IPv4 address takes the secondaries of its subnet with it.)
  await lab.run(h, ["sh", "-c", "ip addr del 10.94.0.2/24 dev eth0 && ip addr add 10.94.0.3/24 dev eth0"]);
  await host.waitFor("err", /state loaded again \(ip monitor restarted\)/, 10_000);
  await peer.waitFor("err", /path 10\.94\.0\.1:10500 → 10\.94\.0\.3:10500/, 10_000).catch((e: Error) => assert.fail(`${e.message}\nH: ${host.err}`));
});

for (const runtime of ["node", "deno"] as const) {
  test(`library host (hipmm/${runtime}), udp(listen, { followInterfaces }): renumbered, it announces the new address and data flows from it`, { skip: skip || (runtime === "deno" && denoSkip()), timeout: 90_000 }, async () => {
    const net = runtime === "node" ? "10.96" : "10.97";
    const h = lab.ns(`h${runtime}`);
    const p = lab.ns(`p${runtime}`);
    lab.link(h, "eth0", `${net}.0.2/24`, p, "eth0", `${net}.0.1/24`);
    const [keyP, hitP] = lab.keygen(`p${runtime}`);
    const peer = lab.hipmm(p, ["host", "--id", keyP, "--listen", `${net}.0.1:10500`, "--k", "4", "--echo"]);
    await peer.waitFor("err", /listening on/);
    const args = [`${net}.0.2:10500`, hitP, `${net}.0.1:10500`];
    // Proc runs node after its wrapper: for Deno the wrapper is the whole command (node's path
    // lands in Deno.args, after the ones the fixture reads).
    const host =
      runtime === "node"
        ? new Proc(["--import", "tsx", FOLLOW, ...args], 40_000, ["ip", "netns", "exec", h])
        : new Proc([], 40_000, ["ip", "netns", "exec", h, denoPath, "run", "-A", "--unstable-net", FOLLOW_DENO, ...args]);
    try {
      await host.waitFor("err", new RegExp(`established ${net.replace(".", "\\.")}\\.0\\.2:10500`));
      await host.waitFor("err", /message/);
      await lab.run(h, ["sh", "-c", `ip addr del ${net}.0.2/24 dev eth0 && ip addr add ${net}.0.3/24 dev eth0`]);
      await peer.waitFor("err", new RegExp(`path ${net}.0.1:10500 → ${net}.0.3:10500`), 10_000).catch((e: Error) => assert.fail(`${e.message}\nH: ${host.err}`));
      await host.waitFor("err", new RegExp(`moved ${net}.0.3:10500 → ${net}.0.1:10500`), 10_000);
      const before = host.err.length;
      for (let i = 0; i < 100 && !host.err.slice(before).includes("message"); i++) await new Promise((r) => setTimeout(r, 50));
      assert.ok(host.err.slice(before).includes("message"), `the peer's echoes reach the new address: ${host.err.slice(before)}`);
    } finally {
      host.kill();
    }
  });
}

test("from an IPv4 network to an IPv6 one (draft §3.1): the host follows its interface into the other family, the session survives", { skip, timeout: 60_000 }, async () => {
  const h = lab.ns("h46");
  const p = lab.ns("p46");
  lab.link(h, "eth0", "10.98.0.2/24", p, "eth0", "10.98.0.1/24");
  lab.exec(p, ["ip", "-6", "addr", "add", "2001:db8:46::1/64", "dev", "eth0", "nodad"]);
  const [keyH] = lab.keygen("h46");
  const [keyP, hitP] = lab.keygen("p46");
  const peer = lab.hipmm(p, ["host", "--id", keyP, "--listen", "10.98.0.1:10500", "--listen", "[2001:db8:46::1]:10500", "--k", "4", "--echo"]);
  await peer.waitFor("err", /listening on/);
  const host = lab.hipmm(h, ["host", "--id", keyH, "--listen", "10.98.0.2:10500", "--connect", `${hitP}@10.98.0.1:10500`]);
  await host.waitFor("err", new RegExp(`established ${hitP}`));
  await new Promise((r) => setTimeout(r, 300)); // P's REA (both its addresses) reaches H
  // The IPv4 network goes, an IPv6 one comes (the same link here).
  await lab.run(h, ["sh", "-c", "ip addr del 10.98.0.2/24 dev eth0 && ip -6 addr add 2001:db8:46::2/64 dev eth0 nodad"]);
  await host.waitFor("err", /kernel: \+2001:db8:46::2 on eth0/, 10_000).catch((e: Error) => assert.fail(`${e.message}`));
  await peer.waitFor("err", /path \[2001:db8:46::1\]:10500 → \[2001:db8:46::2\]:10500/, 10_000).catch((e: Error) => assert.fail(`${e.message}\nH: ${host.err}`));
  // Data over the new family: a line to P, echoed back.
  host.child.stdin.write("over IPv6 now\n");
  await host.waitFor("out", /over IPv6 now/, 5000);
});

test("IPv6 address deprecated (its prefix withdrawn, RFC 4862 §5.5.4): both ends move to the host's other, still preferred, address", { skip, timeout: 60_000 }, async () => {
  const { h, host, peer } = await pair("2001:db8:8::2/64", "2001:db8:8::1/64", "[2001:db8:8::2]:10500", "[2001:db8:8::1]:10500", ["nodad"], "dep");
  await lab.run(h, ["ip", "-6", "addr", "add", "2001:db8:8::3/64", "dev", "eth0", "nodad"]);
  await host.waitFor("err", /kernel: \+2001:db8:8::3 on eth0/, 10_000);
  await new Promise((r) => setTimeout(r, 500)); // announced and verified; the path stays where it is
  await lab.run(h, ["ip", "-6", "addr", "change", "2001:db8:8::2/64", "dev", "eth0", "preferred_lft", "0"]);
  await host.waitFor("err", /kernel: 2001:db8:8::2 deprecated on eth0/, 10_000);
  await host.waitFor("err", /path \[2001:db8:8::3\]:10500 → \[2001:db8:8::1\]:10500/, 10_000).catch((e: Error) => assert.fail(`${e.message}`));
  await peer.waitFor("err", /path \[2001:db8:8::1\]:10500 → \[2001:db8:8::3\]:10500/, 10_000).catch((e: Error) => assert.fail(`${e.message}\nH: ${host.err}`));
});

test("hipmm host --watch-family 4: an IPv6 address on the interface is not taken", { skip, timeout: 60_000 }, async () => {
  const { h, host } = await pair("10.99.0.2/24", "10.99.0.1/24", "10.99.0.2:10500", "10.99.0.1:10500", [], "wf", ["--watch-family", "4", "--stats", "1"]);
  await lab.run(h, ["ip", "-6", "addr", "add", "2001:db8:99::2/64", "dev", "eth0", "nodad"]);
  await host.waitFor("err", /kernel: \+2001:db8:99::2 on eth0/, 10_000);
  const seen = host.err.length;
  await host.waitFor("err", /"transport":\{"sockets":\d+/, 5000);
  for (let i = 0; i < 40 && !host.err.slice(seen).includes('"sockets"'); i++) await new Promise((r) => setTimeout(r, 50));
  const stats = host.err.slice(seen).split("\n").filter((l) => l.startsWith("{")).pop() ?? "";
  assert.match(stats, /"transport":\{"sockets":1,/, "still one socket: the IPv6 address was not bound");
});
