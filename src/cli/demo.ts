// `hipmm demo` (= npm start): two HIP hosts in this process on loopback UDP (real sockets,
// free ports), a base exchange and a short data exchange both ways, then CLOSE; every datagram
// is printed as a timeline line. Options: --k N, --pcap FILE, --esp-sa FILE.
import { cryptoRng } from "../core/rng.ts";
import { type Locator, locatorKey, type Millis } from "../core/types.ts";
import { hitToString } from "../hip/hit.ts";
import { HostIdentity } from "../hip/identity.ts";
import { captureHooks } from "../runtime/capture-node.ts";
import type { RuntimeHost } from "../runtime/host.ts";
import { startNodeHost } from "../runtime/node.ts";
import { describeDatagram } from "../sim/describe.ts";
import { parseArgs } from "./args.ts";
import type { Command } from "./main.ts";

const USAGE = "usage: hipmm demo [--k N] [--pcap FILE] [--esp-sa FILE]";

function waitFor<T>(register: (cb: (v: T) => void) => void, ms: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
    register((v) => {
      clearTimeout(t);
      resolve(v);
    });
  });
}

export async function demo(argv: string[]): Promise<number> {
  const p = parseArgs(argv, { flags: ["help"], options: ["k", "pcap", "esp-sa"], aliases: { h: "help" } });
  if (!p.ok || p.args.has("help")) {
    (p.ok ? console.log : console.error)(p.ok ? USAGE : `hipmm demo: ${p.error}\n${USAGE}`);
    return p.ok ? 0 : 2;
  }
  const k = p.args.int("k") ?? 8;
  const capture = captureHooks(p.args.get("pcap"), p.args.get("esp-sa"));
  const names = new Map<string, string>();
  let t0 = performance.now();
  const line = (t: Millis, from: Locator, to: Locator, what: string, bytes: number) =>
    console.log(`${(t - t0).toFixed(2).padStart(9)}  ${names.get(locatorKey(from)) ?? "?"} → ${names.get(locatorKey(to)) ?? "?"}  ${what.padEnd(32)} ${String(bytes).padStart(5)} B`);
  const tap = (dir: "in" | "out", now: Millis, data: Uint8Array, from: Locator, to: Locator) => {
    capture.tap?.(dir, now, data, from, to);
    if (dir === "out") line(now, from, to, describeDatagram(data), data.length);
  };
  const mk = (seed: string) =>
    startNodeHost({ identity: HostIdentity.generate(cryptoRng), listen: ["127.0.0.1:0"], hip: { puzzleK: k }, tap }).then((h) => {
      names.set(locatorKey(h.locals[0]), seed);
      h.on("event", capture.onEvent);
      return h;
    });
  const a = await mk("A");
  const b = await mk("B");
  const hosts: RuntimeHost[] = [a, b];
  try {
    console.log("hipmm demo: HIPv2 base exchange + ESP (BEET) between two hosts on loopback UDP");
    console.log(`  A  ${hitToString(a.hit)}  ${locatorKey(a.locals[0])}`);
    console.log(`  B  ${hitToString(b.hit)}  ${locatorKey(b.locals[0])}  (puzzle K=${k})`);
    console.log(`${"t (ms)".padStart(9)}  dir    ${"packet".padEnd(32)} ${"size".padStart(7)}`);
    const tStart = performance.now();
    t0 = tStart;
    await a.connect(b.locals[0], b.hit, { timeoutMs: 10_000 });
    const tUp = performance.now();
    console.log(`  -- A: association with B established after ${(tUp - tStart).toFixed(2)} ms`);

    const atB = waitFor<string>((cb) => b.on("message", (m) => cb(new TextDecoder().decode(m.data))), 5000, "A's message");
    a.send(b.hit, 5000, 7, new TextEncoder().encode("hello B, this is A over ESP"));
    console.log(`  -- B received: "${await atB}"`);
    const atA = waitFor<string>((cb) => a.on("message", (m) => cb(new TextDecoder().decode(m.data))), 5000, "B's reply");
    b.send(a.hit, 7, 5000, new TextEncoder().encode("hello A, B here"));
    console.log(`  -- A received: "${await atA}"`);

    const closed = waitFor<void>((cb) => a.on("closed", () => cb()), 5000, "CLOSE_ACK");
    a.closeAssociation(b.hit);
    await closed;
    console.log("  -- association closed (CLOSE / CLOSE_ACK)");
    const esp = a.stack.counters["esp.tx"] ?? 0;
    console.log(`done: ${a.driver.transmitted + b.driver.transmitted} datagrams, ${esp + (b.stack.counters["esp.tx"] ?? 0)} ESP`);
    return 0;
  } catch (e) {
    console.error(`hipmm demo: ${(e as Error).message}`);
    return 1;
  } finally {
    await Promise.all(hosts.map((h) => h.close()));
    capture.close();
  }
}

export const command: Command = { summary: "the main end-to-end scenario on loopback (npm start)", run: demo };
