// Namespace worlds for the Forwarding Agent scenarios (test/netns/fa-*.test.ts, bench/netns-fa.bench.ts):
// router R joins a private host H (two interfaces, eth0 preferred), a peer P and the FA's
// namespace F; F also has a "holders LAN" (eth1, 10.x.5.0/24) where extra lease holders G sit
// directly attached, so a holder that vanishes leaves the FA's own kernel asking ARP forever.
// Also: a packet capture on an interface (tcpdump, pcap parsed here) and counters read from a
// running `hipmm` by SIGUSR1 (--stats-file).
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Proc } from "../helpers/proc.ts";
import type { Lab } from "./netns.ts";

export interface FaWorld {
  nsH: string;
  nsR: string;
  nsP: string;
  nsF: string;
  /** 10.<net>.X.Y addresses. */
  net: number;
  keyH: string;
  hitH: string;
  keyP: string;
  hitP: string;
  faKey: string;
  faStore: string;
  /** The FA's control (and shared IPv4) locator. */
  fa: string;
  /** H's own addresses (never to be seen by P under --privacy). */
  hAddrs: string[];
}

export function faWorld(lab: Lab, net: number): FaWorld {
  const n = (x: number, y: number) => `10.${net}.${x}.${y}`;
  const nsH = lab.ns("h");
  const nsR = lab.ns("r");
  const nsP = lab.ns("p");
  const nsF = lab.ns("f");
  lab.link(nsH, "eth0", `${n(1, 2)}/24`, nsR, "h0", `${n(1, 1)}/24`);
  lab.link(nsH, "eth1", `${n(2, 2)}/24`, nsR, "h1", `${n(2, 1)}/24`);
  lab.link(nsR, "p0", `${n(3, 1)}/24`, nsP, "eth0", `${n(3, 2)}/24`);
  lab.link(nsR, "f0", `${n(4, 1)}/24`, nsF, "eth0", `${n(4, 2)}/24`);
  lab.exec(nsR, ["sysctl", "-q", "-w", "net.ipv4.ip_forward=1", "net.ipv4.conf.all.rp_filter=0"]);
  lab.exec(nsP, ["ip", "route", "add", "default", "via", n(3, 1)]);
  lab.exec(nsF, ["ip", "route", "add", "default", "via", n(4, 1)]);
  // Source routing: each of H's addresses leaves through its own interface.
  for (const [i, itf] of [
    [1, "eth0"],
    [2, "eth1"],
  ] as const) {
    lab.exec(nsH, ["ip", "rule", "add", "from", `${n(i, 0)}/24`, "table", String(i)]);
    lab.exec(nsH, ["ip", "route", "add", "default", "via", n(i, 1), "dev", itf, "table", String(i)]);
  }
  const [keyH, hitH] = lab.keygen("h");
  const [keyP, hitP] = lab.keygen("p");
  return { nsH, nsR, nsP, nsF, net, keyH, hitH, keyP, hitP, faKey: join(lab.dir, "fa.key"), faStore: join(lab.dir, "fa.db"), fa: `${n(4, 2)}:10500`, hAddrs: [n(1, 2), n(2, 2)] };
}

/** A lease holder G on the FA's own LAN (F eth1 10.<net>.5.1 ↔ G eth0 10.<net>.5.2). */
export function holderOnFaLan(lab: Lab, w: FaWorld): { nsG: string; keyG: string; hitG: string; addr: string } {
  const nsG = lab.ns("g");
  const addr = `10.${w.net}.5.2`;
  lab.link(w.nsF, "eth1", `10.${w.net}.5.1/24`, nsG, "eth0", `${addr}/24`);
  lab.exec(nsG, ["ip", "route", "add", "default", "via", `10.${w.net}.5.1`]);
  const [keyG, hitG] = lab.keygen("g");
  return { nsG, keyG, hitG, addr };
}

/**
 * Send `rate` ESP-shaped datagrams/s (SPI `spi`, 100 bytes) from `ns` to `to` for `ms`
 * (a bounded load generator: rate × ms / 1000 datagrams, then exit).
 */
export function blast(lab: Lab, ns: string, to: string, spis: number[], rate: number, ms: number): Promise<string> {
  const [ip, port] = to.split(":");
  const js = `const s=require("node:dgram").createSocket("udp4");const spis=${JSON.stringify(spis)};let n=0;const end=Date.now()+${ms};const per=Math.max(1,Math.round(${rate}/200));const t=setInterval(()=>{if(Date.now()>=end){clearInterval(t);s.close();console.log(n);return}for(let i=0;i<per;i++)for(const spi of spis){const b=Buffer.alloc(100);b.writeUInt32BE(spi,0);b.writeUInt32BE(++n,4);s.send(b,${Number(port)},"${ip}")}},5)`;
  return lab.run(ns, [process.execPath, "-e", js]);
}

/** Start `hipmm fa` in F (puzzle off, JSON logs, counters to `<dir>/fa.stats`); resolves once ready
 *  with the moment the ready line was read. */
export async function startFa(lab: Lab, w: FaWorld, extra: string[] = []): Promise<{ fa: Proc; readyAt: number }> {
  const fa = lab.hipmm(w.nsF, ["fa", "--id", w.faKey, "--udp", w.fa, "--puzzle", "off", "--log", "json", "--stats-file", join(lab.dir, "fa.stats"), ...extra]);
  let readyAt = 0;
  fa.child.stdout.on("data", (d: Buffer | string) => {
    if (!readyAt && d.toString().includes("fa ready")) readyAt = performance.now();
  });
  await fa.waitFor("out", /fa ready/);
  return { fa, readyAt: readyAt || performance.now() };
}

/** Counters of a running `hipmm fa|host … --stats-file FILE` (SIGUSR1, the last line of FILE). */
export async function statsOf(p: Proc, file: string): Promise<Record<string, unknown>> {
  const before = existsSync(file) ? readFileSync(file, "utf8").length : 0;
  p.child.kill("SIGUSR1");
  for (let i = 0; i < 100; i++) {
    const s = existsSync(file) ? readFileSync(file, "utf8") : "";
    if (s.length > before && s.endsWith("\n")) return JSON.parse(s.trimEnd().split("\n").at(-1)!);
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no stats line in ${file}`);
}

export interface Packet {
  src: string;
  dst: string;
  frame: Uint8Array;
}

/** tcpdump on `ifname` in `ns` (every frame, unbuffered pcap) until stop(). */
export class Capture {
  private readonly child: ChildProcess;
  private readonly exited: Promise<void>;
  private err = "";

  constructor(ns: string, ifname: string, readonly file: string) {
    this.child = spawn("ip", ["netns", "exec", ns, "tcpdump", "-i", ifname, "-U", "-n", "-s", "2048", "-w", file], { stdio: ["ignore", "ignore", "pipe"] });
    this.child.stderr?.setEncoding("utf8").on("data", (d: string) => {
      this.err += d;
    });
    this.exited = new Promise((r) => this.child.on("close", () => r()));
  }

  async ready(): Promise<void> {
    for (let i = 0; i < 250 && !this.err.includes("listening on"); i++) await new Promise((r) => setTimeout(r, 20));
    if (!this.err.includes("listening on")) throw new Error(`tcpdump did not start: ${this.err}`);
  }

  async stop(): Promise<Packet[]> {
    this.child.kill("SIGINT");
    await Promise.race([this.exited, new Promise((r) => setTimeout(r, 3000))]);
    this.child.kill("SIGKILL");
    return parsePcap(readFileSync(this.file));
  }
}

/** IPv4 packets of an Ethernet pcap (classic format, either byte order). */
export function parsePcap(b: Uint8Array): Packet[] {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (b.length < 24) return [];
  const le = dv.getUint32(0, true) === 0xa1b2c3d4 || dv.getUint32(0, true) === 0xa1b23c4d;
  const out: Packet[] = [];
  for (let off = 24; off + 16 <= b.length; ) {
    const incl = dv.getUint32(off + 8, le);
    const frame = b.subarray(off + 16, off + 16 + incl);
    off += 16 + incl;
    if (frame.length < 34 || frame[12] !== 0x08 || frame[13] !== 0x00) continue;
    const ip = (o: number) => `${frame[o]}.${frame[o + 1]}.${frame[o + 2]}.${frame[o + 3]}`;
    out.push({ src: ip(26), dst: ip(30), frame });
  }
  return out;
}

/** Does `frame` carry `addr` anywhere: IP header, or inside as 4 bytes or an IPv4-mapped IPv6 address? */
export function carries(p: Packet, addr: string): boolean {
  if (p.src === addr || p.dst === addr) return true;
  const a = addr.split(".").map(Number);
  const f = p.frame;
  for (let i = 34; i + 4 <= f.length; i++) if (f[i] === a[0] && f[i + 1] === a[1] && f[i + 2] === a[2] && f[i + 3] === a[3]) return true;
  return false;
}
