// ping6 both ways between cutehip and `hipmm host` (ICMPv6 echo inside BEET ESP, checksums over
// the HITs): Linux's ping in cutehip's namespace to our HIT (hipmm answers, `--icmp print`
// shows the requests), and `hipmm host --ping N` to cutehip's HIT (its kernel answers on hip0).
import assert from "node:assert/strict";
import type { Instance } from "./cell.ts";
import { CUTEHIP_UDP, hipmmArgv, NsProc, OUR_ADDR } from "./harness.ts";

export interface PingCell {
  keyfile: string;
  ourHit: string;
  hostFlags: string[];
}

/** cutehip's side pings our HIT; cutehip drops the first request while its base exchange runs. */
export async function pingFromCutehip(inst: Instance, c: PingCell): Promise<string> {
  const host = new NsProc(inst.h.ns.b, [process.execPath, ...hipmmArgv(), "host", "--id", c.keyfile, "--listen", `${OUR_ADDR}:10500`, "--icmp", "print", ...c.hostFlags]);
  try {
    await host.waitFor("err", /listening on/, 60_000, "hipmm host up");
    const ping = new NsProc(inst.h.ns.a, ["ping", "-6", "-n", "-c", "6", "-i", "1", "-w", "40", c.ourHit]);
    await ping.exited;
    const m = /(\d+) packets transmitted, (\d+) received/.exec(ping.out);
    assert.ok(m && Number(m[2]) >= 1, `ping -6 ${c.ourHit} from cutehip's namespace got replies:\n${ping.out}${ping.err}\nhipmm: ${host.err}`);
    assert.match(ping.out, /bytes from 2001:2/);
    assert.match(host.err, /icmpv6 echo-request/, `hipmm saw the echo requests:\n${host.err}`);
    host.child.stdin.end();
    await Promise.race([host.exited, new Promise((r) => setTimeout(r, 10_000))]);
    return ping.out;
  } finally {
    await host.stop();
  }
}

/** `hipmm host --ping 3` initiates the exchange with cutehip and pings its HIT. */
export async function pingToCutehip(inst: Instance, c: PingCell): Promise<string> {
  const host = new NsProc(inst.h.ns.b, [
    process.execPath,
    ...hipmmArgv(),
    "host",
    "--id",
    c.keyfile,
    "--listen",
    `${OUR_ADDR}:10500`,
    "--ping",
    "3",
    "--ping-interval",
    "500",
    ...c.hostFlags,
    "--connect",
    `${inst.cutehipHit}@${CUTEHIP_UDP}`,
  ]);
  try {
    const code = await Promise.race([host.exited, new Promise<"timeout">((r) => setTimeout(() => r("timeout"), 90_000))]);
    assert.equal(code, 0, `hipmm host --ping exits 0 (a reply came):\n${host.err}`);
    assert.match(host.err, /bytes from [0-9a-f:]+: icmp_seq=\d+ time=/, host.err);
    return host.err;
  } finally {
    host.child.stdin.end();
    await host.stop();
  }
}
