// `hipmm demo` (= npm start): the whole stack end to end on real loopback UDP, no setup.
// In this process: a Forwarding Agent (127.0.0.3), host A (127.0.0.1, mobile) and host B
// (127.0.0.4). A leases an address from the FA, runs a base exchange with B, both exchange ESP
// data, A's FA interface is announced and checked (REA/AC/ACR through the FA), then A moves to
// 127.0.0.2 (REA, AC, ACR; the first datagram rides inside the REA), data continues; B crashes
// (A reports it unreachable, §8) and restarts (same identity and port, no state) and rejoins at
// A's liveness AC (§7.11), CLOSE.
// Every datagram A and B send is a timeline line; a summary ends it. Options: --k N, --pcap
// FILE, --esp-sa FILE.
import { createSocket } from "node:dgram";
import { cryptoRng } from "../core/rng.ts";
import { type Locator, locatorKey, type Millis } from "../core/types.ts";
import { faConfig } from "../fa/core/config.ts";
import { unwrapRelay } from "../fa/core/relay.ts";
import { FaServer } from "../fa/server/server.ts";
import { MemoryLeaseStore } from "../fa/store/memory.ts";
import { hitToString } from "../hip/hit.ts";
import { HostIdentity } from "../hip/identity.ts";
import { FA_INTERFACE } from "../mobility/extension.ts";
import type { MessageEvent, RuntimeHost } from "../runtime/host.ts";
import { startMobileNode } from "../runtime/mobility-node.ts";
import { startNodeHost } from "../runtime/node.ts";
import type { StackEvent } from "../runtime/stack.ts";
import { describeDatagram } from "../sim/describe.ts";
import { openCapture } from "./common.ts";
import { UsageError } from "./errors.ts";
import type { Command } from "./main.ts";
import { type CommandSpec, intOption, parseCommand } from "./options.ts";

export const DEMO_SPEC: CommandSpec = {
  name: "demo",
  summary: "the main end-to-end scenario on loopback: FA lease, base exchange, data, move, a peer crash (reported unreachable), its restart and rejoin, CLOSE, the lease released (npm start)",
  options: [
    { name: "k", arg: "N", default: "8", help: "puzzle difficulty K of the base exchange (RFC 7401 §4.1.2)" },
    { name: "pcap", arg: "FILE", default: "none", help: "write every datagram of A and B to a pcap file" },
    { name: "esp-sa", arg: "FILE", default: "none", help: "write each SA as a tshark esp_sa line (contains keys; mode 0600)" },
  ],
  notes: ["Runs an FA (127.0.0.3), host A (127.0.0.1, moves to 127.0.0.2) and host B (127.0.0.4) in this process; prints a timeline and a summary."],
  examples: ["hipmm demo", "hipmm demo --k 4 --pcap demo.pcap --esp-sa demo.esp_sa"],
};
const enc = new TextEncoder();
const dec = new TextDecoder();

function waitFor<T>(h: RuntimeHost, what: string, pick: (ev: StackEvent) => T | undefined, ms = 4000): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      h.off("event", cb);
      reject(new Error(`timed out waiting for ${what}`));
    }, ms);
    const cb = (ev: StackEvent) => {
      const v = pick(ev);
      if (v === undefined) return;
      clearTimeout(t);
      h.off("event", cb);
      resolve(v);
    };
    h.on("event", cb);
  });
}

const message = (pred: (m: MessageEvent) => boolean) => (ev: StackEvent) => (ev.type === "message" && pred(ev) ? ev : undefined);

async function freePort(ip: string): Promise<number> {
  const s = createSocket("udp4");
  await new Promise<void>((r) => s.bind(0, ip, () => r()));
  const p = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return p;
}

export async function demo(argv: string[]): Promise<number> {
  const args = parseCommand(DEMO_SPEC, argv);
  if (!args) return 0;
  if (args.positionals.length) throw new UsageError(`unexpected argument ${args.positionals[0]}`);
  const k = intOption(args, "k", 0, 40) ?? 8;
  const capture = openCapture(args.get("pcap"), args.get("esp-sa"));
  const names = new Map<string, string>();
  const name = (l: Locator) => names.get(locatorKey(l)) ?? locatorKey(l);
  let t0 = performance.now();
  const describe = (d: Uint8Array): [string, Locator | undefined] => {
    const r = unwrapRelay(d);
    return r ? [`relay[${describeDatagram(r.payload)}]`, r.dst] : [describeDatagram(d), undefined];
  };
  const tap = (dir: "in" | "out", now: Millis, data: Uint8Array, from: Locator, to: Locator) => {
    capture.tap?.(dir, now, data, from, to);
    if (dir !== "out") return;
    const [what, via] = describe(data);
    const dst = via ? `${name(to)} → ${name(via)}` : name(to);
    out(`${(now - t0).toFixed(1).padStart(8)}  ${name(from).padEnd(6)} → ${dst.padEnd(12)} ${what.padEnd(42)} ${String(data.length).padStart(5)} B`);
  };
  // Lines wait until the header is printed (A asks the FA for its lease as soon as it starts).
  let held: string[] | undefined = [];
  const out = (s: string) => (held ? held.push(s) : console.log(s));
  const note = (s: string) => out(`${(performance.now() - t0).toFixed(1).padStart(8)}  ── ${s}`);

  t0 = performance.now();
  const faIp = "127.0.0.3";
  const faLoc = { ip: faIp, port: await freePort(faIp) };
  const fa = await FaServer.start({ identity: HostIdentity.generate(cryptoRng), config: faConfig({ control: [faLoc], shared4: [faLoc], puzzle: "off" }), store: new MemoryLeaseStore() });
  names.set(locatorKey(faLoc), "FA");
  const a = await startMobileNode({ identity: HostIdentity.generate(cryptoRng), addresses: ["127.0.0.1"], hip: { puzzleK: k }, tap, fa: { fas: [{ locator: faLoc }], addrType: 4, spis: 16 } });
  const bId = HostIdentity.generate(cryptoRng);
  let b = await startNodeHost({ identity: bId, listen: ["127.0.0.4:0"], hip: { puzzleK: k }, tap });
  const A = a.host;
  const aPort = A.locals[0].port;
  names.set(locatorKey(A.locals[0]), "A");
  names.set(locatorKey({ ip: "127.0.0.2", port: aPort }), "A'");
  names.set(locatorKey(b.locals[0]), "B");
  for (const h of [A, b]) h.on("event", capture.onEvent);
  const counts = { sentA: 0, sentB: 0, gotA: 0, gotB: 0 };
  let hGone = 0;
  let hRejoin = 0;
  A.on("message", () => counts.gotA++);
  b.on("message", () => counts.gotB++);
  try {
    console.log("hipmm demo: HIPv2 + ESP + mobility (REA/AC/ACR) + a Forwarding Agent, on loopback UDP");
    console.log(`  A   ${hitToString(A.hit)}  ${locatorKey(A.locals[0])} (mobile)`);
    console.log(`  B   ${hitToString(b.hit)}  ${locatorKey(b.locals[0])}`);
    console.log(`  FA  ${faIp}:${faLoc.port}  (in-process Forwarding Agent, shared IPv4 locator)`);
    console.log(`${"t (ms)".padStart(8)}  from     to           packet ${"".padEnd(35)} size`);
    for (const l of held) console.log(l);
    held = undefined;
    // The lease was requested when A started; wait for its FAA.
    if (!A.stack.fa?.lease) await waitFor(A, "the FA lease", (ev) => (ev.type === "fa" && ev.ev.type === "leased" ? ev.ev : undefined));
    const lease = A.stack.fa!.lease!;
    names.set(locatorKey(lease.locator), "A@FA");
    note(`A leased ${locatorKey(lease.locator)} with SPIs 0x${lease.spiMin.toString(16)}-0x${lease.spiMax.toString(16)} (draft §4.4, FA logical interface §6.4)`);

    const faChecked = waitFor(b, "B's check of A's FA address", (ev) => (ev.type === "mobility" && ev.ev.type === "address-verified" && ev.ev.locator.ip === faIp ? ev.ev : undefined), 5000);
    const tBex = performance.now();
    await A.connect(b.locals[0], b.hit, { timeoutMs: 8000 });
    note(`base exchange done in ${(performance.now() - tBex).toFixed(1)} ms: association ESTABLISHED, ESP SAs installed`);
    const atB = waitFor(b, "A's message", message(() => true));
    A.send(b.hit, 5000, 7, enc.encode("hello B, this is A over ESP"));
    note(`B received: "${dec.decode((await atB).data)}"`);
    const atA = waitFor(A, "B's reply", message(() => true));
    b.send(A.hit, 7, 5000, enc.encode("hello A, B here"));
    note(`A received: "${dec.decode((await atA).data)}"`);
    await faChecked;
    note("A's REAs announced its interfaces; B checked both A addresses (AC/ACR), incl. the FA one");

    // The move: break-before-make from 127.0.0.1 to 127.0.0.2 while both keep sending.
    const tick = setInterval(() => {
      if (A.send(b.hit, 5000, 7, enc.encode(`A ${counts.sentA}`)) === "sent") counts.sentA++;
      if (b.send(A.hit, 7, 5000, enc.encode(`B ${counts.sentB}`)) === "sent") counts.sentB++;
    }, 20);
    await new Promise((r) => setTimeout(r, 60));
    const fromNew = waitFor(b, "data from A's new address", message((m) => m.from.ip === "127.0.0.2"));
    const toNew = waitFor(A, "data to A's new address", message((m) => m.to?.ip === "127.0.0.2"));
    note("A moves: 127.0.0.1 → 127.0.0.2 (old socket closed at once)");
    const tMove = performance.now();
    await a.moveTo(["127.0.0.2"]);
    const mb = await fromNew;
    const hFrom = performance.now() - tMove;
    note(`B got A's datagram from 127.0.0.2${mb.viaRea ? " (it rode inside the REA, §6.1.1)" : ""} after ${hFrom.toFixed(1)} ms`);
    await toNew;
    const hTo = performance.now() - tMove;
    note(`A got B's datagram at 127.0.0.2 after ${hTo.toFixed(1)} ms (REA → AC → ACR → data, §6.5)`);
    await new Promise((r) => setTimeout(r, 100));
    clearInterval(tick);
    await new Promise((r) => setTimeout(r, 50));
    // The move's numbers, before B's restart replaces its stack.
    const sa = b.stack.mobility?.session(A.hit)?.counters;
    const hb = { ...b.stack.host.counters };
    const espB = b.stack.counters["esp.tx"] ?? 0;
    const sentB = b.driver.transmitted;

    // B crashes (no CLOSE): A still has the association and sends into SAs B no longer has; its
    // liveness ACs go unanswered and it reports B unreachable (PROTOCOL §8, dead peer). B comes
    // back with the same identity and port; A's next liveness AC makes it rejoin (§7.11).
    const bLoc = b.locals[0];
    note("B crashes (no CLOSE sent); A keeps sending into SAs B no longer has");
    await b.close(0);
    const tCrash = performance.now();
    const tick2 = setInterval(() => A.send(bId.hit, 5000, 7, enc.encode("A, while B is gone or back")), 100);
    try {
      const gone = await waitFor(A, "A noticing B is gone", (ev) => (ev.type === "mobility" && ev.ev.type === "peer-unreachable" ? ev.ev : undefined), 8000);
      hGone = performance.now() - tCrash;
      note(`A: no answer from B on any path for ${gone.silentMs.toFixed(0)} ms: B reported unreachable (given up after 30 s more, §8)`);
      note("B restarts: same identity, same port, no state");
      const tRestart = performance.now();
      b = await startNodeHost({ identity: bId, listen: [locatorKey(bLoc)], hip: { puzzleK: k }, tap });
      b.on("event", capture.onEvent);
      await waitFor(b, "A's data after B's restart", message(() => true), 8000);
      hRejoin = performance.now() - tRestart;
    } finally {
      clearInterval(tick2);
    }
    note(`B rejoined A (its I1 answered A's liveness AC, A replaced the association): data again ${hRejoin.toFixed(1)} ms after the restart`);

    const closed = waitFor(A, "CLOSE_ACK", (ev) => (ev.type === "closed" ? ev : undefined));
    A.closeAssociation(b.hit);
    await closed;
    note("association closed (CLOSE / CLOSE_ACK)");
    // What A's close() would do anyway, shown on its own: the FA forwards nothing more to A.
    const released = waitFor(A, "the FA's answer to A's release", (ev) => (ev.type === "fa" && ev.ev.type === "released" ? ev.ev : undefined));
    A.stack.fa?.release(A.driver.clock());
    A.driver.flush();
    await released;
    note("A released its FA lease (an FAQ with lifetime 0, draft §4.4.1; the FA's FAA confirms)");
    const ma = A.stack.mobility?.sessions()[0]?.session.counters;
    const c = (x: Record<string, number>, n: string) => x[n] ?? 0;
    const hc = A.stack.host.counters;
    console.log("summary:");
    console.log(`  base exchange     I1/R1/I2/R2 over real UDP, puzzle K=${k}`);
    console.log(`  FA lease          ${locatorKey(lease.locator)} (interface ${FA_INTERFACE}), relayed datagrams to A: ${c(A.stack.counters, "rx.relay")}`);
    console.log(`  REA / AC / ACR    A sent ${c(hc, "tx.REA")}/${c(hc, "tx.AC")}/${c(hc, "tx.ACR")}, B sent ${c(hb, "tx.REA")}/${c(hb, "tx.AC")}/${c(hb, "tx.ACR")}; rejected ${(ma ? Object.values(ma.rejected).reduce((x, y) => x + y, 0) : 0) + (sa ? Object.values(sa.rejected).reduce((x, y) => x + y, 0) : 0)}`);
    console.log(`  handover          from A ${hFrom.toFixed(1)} ms, toward A ${hTo.toFixed(1)} ms (loopback RTT ≈ 0)`);
    console.log(`  data during move  A→B ${counts.gotB}/${counts.sentA + 1} delivered, B→A ${counts.gotA}/${counts.sentB + 1} delivered`);
    console.log(`  dead peer         A reported B unreachable ${hGone.toFixed(0)} ms after the crash (liveness ACs unanswered)`);
    console.log(`  restart           B back in A's association ${hRejoin.toFixed(1)} ms after restarting (rejoin: B sent ${c(b.stack.host.counters, "rejoin.started")} I1 on A's AC)`);
    console.log(`  datagrams         ${A.driver.transmitted + sentB + b.driver.transmitted} sent by A and B, ESP ${c(A.stack.counters, "esp.tx") + espB + c(b.stack.counters, "esp.tx")} (+${c(A.stack.counters, "esp.tx.rea")} inside REA)`);
    return 0;
  } catch (e) {
    console.error(`hipmm demo: ${(e as Error).message}`);
    return 1;
  } finally {
    await Promise.all([a.close(), b.close(), fa.close()]);
    capture.close();
  }
}

export const command: Command = { summary: DEMO_SPEC.summary, run: demo };
