// One host of the stateful fuzzer's world: the real HostStack (HIP, REA/AC/ACR mobility, WASM ESP
// through an ObservedDataPlane, optional FA lease client) as a SimEndpoint, plus the bookkeeping
// the invariants need: a catch at the boundary (a throw is a violation, never a crash of the run),
// the addresses each peer proved (base exchange, AC/ACR), the outbound SPI → peer map (from the
// stack's own SA events), an honest datagram flow to one peer and what arrived from it.
import { type Locator, locatorKey, type Millis, type Transmit } from "../../../src/core/types.ts";
import type { FaClientOptions } from "../../../src/fa/client/client.ts";
import { isRelay, unwrapRelay } from "../../../src/fa/core/relay.ts";
import { probeType } from "../../../src/fa/core/holder-probe.ts";
import { hitKey } from "../../../src/hip/hit.ts";
import { HostIdentity } from "../../../src/hip/identity.ts";
import type { HipHostConfig } from "../../../src/hip/types.ts";
import { SeededRng } from "../../../src/core/rng.ts";
import { HostStack, type StackEvent } from "../../../src/runtime/stack.ts";
import type { SimEndpoint } from "../../../src/sim/types.ts";
import { ObservedDataPlane } from "./observer.ts";

export const FLOW_PORT = 7000;

export interface HostViolation {
  kind: string;
  detail: string;
}

export interface FuzzHostOptions {
  name: string;
  seed: number;
  addresses: Locator[];
  fa?: FaClientOptions;
  /** Passed through as HipHostConfig.limits (issue 9 item 5), when set. */
  limits?: Record<string, unknown>;
  /** Checked: ESP only to proved addresses. The malicious host is not. */
  honest: boolean;
}

export class FuzzHost implements SimEndpoint {
  readonly name: string;
  readonly stack: HostStack;
  readonly dp: ObservedDataPlane;
  readonly honest: boolean;
  readonly violations: HostViolation[] = [];
  /** Peer HIT key → locator keys the peer proved (base-exchange address, AC/ACR). */
  readonly verified = new Map<string, Set<string>>();
  /** Outbound SPI → peer HIT key. */
  readonly spiPeer = new Map<number, string>();
  /** Peer HIT key → "established" events seen. */
  readonly established = new Map<string, number>();
  /** Peer HIT key → honest flow datagrams received. */
  readonly received = new Map<string, number>();
  /** Called with every datagram this host puts on the wire (the fuzzer's corpus). */
  tap: ((tx: Transmit, from: Locator) => void) | undefined;
  throws = 0;
  /** "established" events seen (any peer). */
  establishedEvents = 0;
  private readonly flows: { peer: Uint8Array; every: Millis; next: Millis; n: number }[] = [];
  sentOk = 0;
  sendFail: Record<string, number> = {};
  private now: Millis = 0;

  constructor(o: FuzzHostOptions) {
    this.name = o.name;
    this.honest = o.honest;
    const rng = new SeededRng(o.seed);
    this.dp = new ObservedDataPlane(o.name);
    const host: HipHostConfig & { limits?: Record<string, unknown> } = { identity: HostIdentity.generate(rng), rng, puzzleK: 1, dropEvents: false };
    if (o.limits) host.limits = o.limits;
    this.stack = new HostStack({
      host,
      dataPlane: this.dp,
      mobility: { policy: { announceSingleAddress: true } },
      addresses: o.addresses,
      fa: o.fa,
      onEvent: (ev) => this.onEvent(ev),
    });
  }

  get hit(): Uint8Array {
    return this.stack.hit;
  }

  /** Send one honest datagram to `peer` every `every` ms from `start`. */
  startFlow(peer: Uint8Array, start: Millis, every: Millis): void {
    this.flows.push({ peer, every, next: start, n: 0 });
  }

  receivedFrom(peer: Uint8Array): number {
    return this.received.get(hitKey(peer)) ?? 0;
  }

  // ---- SimEndpoint (every entry point catches: a throw is a violation) ----

  handleDatagram(now: Millis, data: Uint8Array, from: Locator, to: Locator): void {
    this.now = now;
    this.guard("handleDatagram", () => this.stack.handleDatagram(now, data, from, to));
  }

  handleTimeout(now: Millis): void {
    this.now = now;
    this.guard("handleTimeout", () => this.stack.handleTimeout(now));
    for (const f of this.flows) this.runFlow(now, f);
  }

  private runFlow(now: Millis, f: { peer: Uint8Array; every: Millis; next: Millis; n: number }): void {
    while (f.next <= now) {
      f.next += f.every;
      const d = new Uint8Array(32);
      new DataView(d.buffer).setUint32(0, f.n++);
      this.guard("send", () => {
        const st = this.stack.send(f.peer, FLOW_PORT, FLOW_PORT, d, now);
        if (st === "sent") this.sentOk++;
        else this.sendFail[st] = (this.sendFail[st] ?? 0) + 1;
      });
    }
  }

  handleAddressChange(now: Millis, added: readonly Locator[], removed: readonly Locator[]): void {
    this.now = now;
    this.guard("handleAddressChange", () => this.stack.handleAddressChange(now, added, removed));
  }

  pollTransmit(): Transmit | undefined {
    let tx: Transmit | undefined;
    this.guard("pollTransmit", () => {
      tx = this.stack.pollTransmit();
    });
    if (!tx) return undefined;
    const from = tx.from ?? this.stack.local?.interfaces.values().next().value?.addresses[0]?.locator ?? { ip: "0.0.0.0", port: 0 };
    this.tap?.(tx, from);
    if (this.honest) this.checkEsp(tx);
    return tx;
  }

  pollTimeout(): Millis | undefined {
    let t: Millis | undefined;
    this.guard("pollTimeout", () => {
      t = this.stack.pollTimeout();
    });
    for (const f of this.flows) if (t === undefined || f.next < t) t = f.next;
    return t;
  }

  // ---- internals ----

  private guard(where: string, fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.throws++;
      const err = e as Error;
      this.violations.push({ kind: "throw", detail: `${this.name}.${where}: ${err?.name}: ${err?.message} @ ${String(err?.stack ?? "").split("\n")[1]?.trim() ?? ""}` });
    }
  }

  /** §6.5: ESP only to an address the peer proved (AC/ACR) or the base-exchange address. */
  private checkEsp(tx: Transmit): void {
    let d = tx.data;
    let to = tx.to;
    if (probeType(d)) return; // a holder probe's PONG to the FA (src/fa/core/holder-probe.ts), not ESP
    if (isRelay(d)) {
      const f = unwrapRelay(d);
      if (!f?.dst) return;
      d = f.payload;
      to = f.dst;
    }
    if (d.length < 8 || (d[0] | d[1] | d[2] | d[3]) === 0) return; // HIP control (zero marker)
    const spi = ((d[0] << 24) | (d[1] << 16) | (d[2] << 8) | d[3]) >>> 0;
    const peer = this.spiPeer.get(spi);
    if (peer === undefined) {
      this.violations.push({ kind: "esp-unknown-spi", detail: `${this.name}: ESP with SPI 0x${spi.toString(16)} (no SA event named it) to ${locatorKey(to)}` });
      return;
    }
    if (!this.verified.get(peer)?.has(locatorKey(to))) this.violations.push({ kind: "data-to-unverified", detail: `${this.name}: ESP (SPI 0x${spi.toString(16)}) to ${locatorKey(to)}, never proved by that peer` });
  }

  private prove(peer: string, l: Locator): void {
    const s = this.verified.get(peer) ?? new Set<string>();
    this.verified.set(peer, s);
    s.add(locatorKey(l));
  }

  private onEvent(ev: StackEvent): void {
    switch (ev.type) {
      case "established": {
        const k = hitKey(ev.peerHit);
        this.established.set(k, (this.established.get(k) ?? 0) + 1);
        this.establishedEvents++;
        this.prove(k, ev.peer);
        break;
      }
      case "sa-install": {
        const k = hitKey(ev.peerHit);
        this.spiPeer.set(ev.outbound.spi >>> 0, k);
        const a = this.stack.host.association(ev.peerHit);
        if (a) this.prove(k, a.peerLocator);
        break;
      }
      case "sa-rekey":
        this.spiPeer.set(ev.outbound.spi >>> 0, hitKey(ev.peerHit));
        break;
      case "sa-add":
        if (ev.sa.direction === "out") this.spiPeer.set(ev.sa.spi >>> 0, hitKey(ev.peerHit));
        break;
      case "mobility":
        if (ev.ev.type === "address-verified" || ev.ev.type === "address-credited") this.prove(hitKey(ev.peerHit), ev.ev.locator);
        break;
      case "message":
        if (ev.dstPort === FLOW_PORT) {
          const k = hitKey(ev.peerHit);
          this.received.set(k, (this.received.get(k) ?? 0) + 1);
        }
        break;
    }
    void this.now;
  }
}
