// Child process of bench/udp-assoc.bench.ts: `hosts` HIP Initiators (HipHost, crypto jobs on
// node:crypto as startNodeHost's default, one UDP socket each) that run base exchanges with one Responder back to
// back: after each R2 the association is forgotten locally and a new exchange starts (same HIT:
// the Responder replaces its association). Prints "ready", starts on "go" (stdin), stops on
// "stop" and prints {"established": n, "cpuUs": CPU µs of this process since "go"}.
// argv: <responder ip:port> <responder HIT hex> <hosts>
import { createInterface } from "node:readline";
import { cryptoRng } from "../src/core/rng.ts";
import type { Locator, Millis, Transmit } from "../src/core/types.ts";
import { HipHost } from "../src/hip/host.ts";
import { HostIdentity } from "../src/hip/identity.ts";
import { nodeCryptoDefault } from "../src/runtime/crypto-node.ts";
import { EndpointDriver } from "../src/runtime/driver.ts";
import type { SimEndpoint } from "../src/sim/types.ts";
import { parseLocator } from "../src/transport/types.ts";
import { SocketSet } from "../src/transport/socket-set.ts";
import { bindNodeUdp } from "../src/transport/udp-node.ts";
import { classifyDatagram } from "../src/wire/framing.ts";

const [peerArg, hitHex, hostsArg] = process.argv.slice(2);
const peer = parseLocator(peerArg) as Locator;
const peerHit = Uint8Array.from(hitHex.match(/../g) ?? [], (h) => Number.parseInt(h, 16));
const provider = nodeCryptoDefault();
let established = 0;
let running = false;
let cpu0: NodeJS.CpuUsage | undefined;

/** HipHost as a SimEndpoint (HIP packets only: the zero marker stripped on receipt). */
class Initiator implements SimEndpoint {
  constructor(
    readonly host: HipHost,
    readonly local: Locator,
  ) {}
  handleDatagram(now: Millis, data: Uint8Array, from: Locator, to: Locator): void {
    const c = classifyDatagram(data);
    if (c.ok && c.value.kind === "hip") this.host.handleDatagram(now, c.value.packet, from, to);
  }
  handleTimeout(now: Millis): void {
    this.host.handleTimeout(now);
  }
  pollTransmit(): Transmit | undefined {
    return this.host.pollTransmit();
  }
  pollTimeout(): Millis | undefined {
    return this.host.pollTimeout();
  }
  pollCryptoJob = () => this.host.pollCryptoJob();
  handleCryptoResult = (now: Millis, id: number, r: Parameters<HipHost["handleCryptoResult"]>[2]) => this.host.handleCryptoResult(now, id, r);
  /** After each input: an established association is forgotten and the next exchange starts. */
  next(driver: EndpointDriver): void {
    for (let ev = this.host.pollEvent(); ev; ev = this.host.pollEvent()) {
      if (ev.type === "established" || ev.type === "failed") {
        if (ev.type === "established") established++;
        const a = this.host.association(peerHit);
        if (a) this.host.removeAssociation(a);
        if (running) queueMicrotask(() => this.start(driver));
      }
    }
  }
  start(driver: EndpointDriver): void {
    this.host.connect(driver.clock(), peer, peerHit, this.local);
    driver.flush();
  }
}

const inits: { i: Initiator; d: EndpointDriver }[] = [];
for (let k = 0; k < Number(hostsArg); k++) {
  const s = await bindNodeUdp("127.0.0.1", 0);
  const host = new HipHost({ identity: HostIdentity.generate(cryptoRng, "P-256"), rng: cryptoRng, dhGroups: [7], espSuites: [13], puzzleK: 0, cryptoJobs: true, dropEvents: false });
  const i = new Initiator(host, s.local);
  const holder: { d?: EndpointDriver } = {};
  const d = new EndpointDriver(i, new SocketSet([s]), undefined, () => holder.d && i.next(holder.d), provider);
  holder.d = d;
  inits.push({ i, d });
}
console.log("ready");
const rl = createInterface({ input: process.stdin });
rl.on("line", async (line) => {
  if (line === "go") {
    running = true;
    cpu0 = process.cpuUsage();
    for (const { i, d } of inits) i.start(d);
  } else if (line === "stop") {
    running = false;
    const c = process.cpuUsage(cpu0);
    console.log(JSON.stringify({ established, cpuUs: c.user + c.system }));
    await Promise.all(inits.map(({ d }) => d.close()));
    process.exit(0);
  }
});
