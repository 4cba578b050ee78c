// The two-interface topology shared by test/netns/interfaces.test.ts and bench/netns*.bench.ts:
// host H with eth0 (preferred) and eth1 behind router R, peer P beyond R; each of H's addresses
// leaves through its own interface (source routing), `hipmm host` on H and P. The namespaces and
// links are `hipmm lab kernel`'s (src/lab/kernel-node.ts buildTwoInterfaces).
//   H eth0 NET.1.2/24 — R h0 NET.1.1      H eth1 NET.2.2/24 — R h1 NET.2.1
//   R p0 NET.3.1/24 — P eth0 NET.3.2
import { buildTwoInterfaces } from "../../src/lab/kernel-node.ts";
import type { Proc } from "../helpers/proc.ts";
import { type Lab, sh } from "./netns.ts";
import { type Stream, streamBothWays } from "./stream.ts";

export interface TwoInterfaces {
  h: string;
  r: string;
  p: string;
  /** `hipmm host` in H (both interfaces, --prefer eth0,eth1, connecting to P) and in P. */
  host: Proc;
  peer: Proc;
  hitP: string;
}

/** Builds the namespaces and starts both hosts; `net` is the first two octets ("10.92"). */
export async function twoInterfaces(lab: Lab, net: string, hostArgs: string[] = []): Promise<TwoInterfaces> {
  const { h, r, p } = await buildTwoInterfaces({ ns: async (n) => lab.ns(n), run: async (argv) => sh(argv[0], argv.slice(1)) }, net);
  const [keyH] = lab.keygen("h");
  const [keyP, hitP] = lab.keygen("p");
  const peer = lab.hipmm(p, ["host", "--id", keyP, "--listen", `${net}.3.2:10500`, "--k", "4"]);
  await peer.waitFor("err", /listening on/);
  const host = lab.hipmm(h, ["host", "--id", keyH, "--listen", `${net}.1.2:10500`, "--listen", `${net}.2.2:10500`, "--prefer", "eth0,eth1", "--connect", `${hitP}@${net}.3.2:10500`, ...hostArgs]);
  return { h, r, p, host, peer, hitP };
}

export interface Outage {
  up: { ms: number; lost: number };
  down: { ms: number; lost: number };
}

/** Waits until 100 datagrams sent after `t` arrived both ways; the outage of each direction. */
export async function settled(up: Stream, down: Stream, t: number, windowMs: number, fromEvent = false): Promise<Outage> {
  await up.waitArrivals(t, 100, 15_000);
  await down.waitArrivals(t, 100, 15_000);
  return { up: up.outage(t, windowMs, fromEvent), down: down.outage(t, windowMs, fromEvent) };
}

/** Both streams running (H→P up, P→H down), 100 arrivals each way seen. */
export async function streaming(t: TwoInterfaces): Promise<{ up: Stream; down: Stream }> {
  const { up, down } = await streamBothWays(t.host, t.peer, ["h", "p"], new RegExp(`established ${t.hitP}`));
  await up.waitArrivals(0, 100, 10_000);
  await down.waitArrivals(0, 100, 10_000);
  return { up, down };
}
