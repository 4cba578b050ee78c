// The Forwarding Agent as a plain datagram endpoint (the simulator's SimEndpoint shape):
// datagrams addressed to one of its local locators in, Transmits out. UDP only (tunnels are
// the Node server's business).
import { type Locator, locatorKey, type Millis, type Transmit } from "../../core/types.ts";
import type { ForwardingAgent } from "./agent.ts";

/** The Forwarding Agent as a plain datagram endpoint (the simulator's SimEndpoint shape), UDP only. */
export class FaEndpoint {
  private readonly localIndex = new Map<string, number>();
  private readonly tx: Transmit[] = [];

  /** @param fa The agent. */
  constructor(readonly fa: ForwardingAgent) {
    for (const l of fa.locals) this.localIndex.set(locatorKey(l.locator), l.index);
  }

  /** Every locator the FA must be reachable at. */
  get locators(): Locator[] {
    return this.fa.locals.map((l) => l.locator);
  }

  /** A datagram from `from` to one of the FA's locators `to`. */
  handleDatagram(now: Millis, data: Uint8Array, from: Locator, to: Locator): void {
    const i = this.localIndex.get(locatorKey(to));
    if (i === undefined) return;
    const d = this.fa.handleDatagram(now, i, from.ip, from.port, data);
    if (d && d.tunnel < 0) this.tx.push({ to: d.to, from: this.fa.locals[d.local].locator, data: d.data.slice() });
    this.drain();
  }

  /** Expire leases and probe holders due at `now` (ms). */
  handleTimeout(now: Millis): void {
    this.fa.handleTimeout(now);
  }

  /** The next datagram to send (forwarded or an answer), if any. */
  pollTransmit(): Transmit | undefined {
    this.drain();
    return this.tx.shift();
  }

  /** The agent's next deadline (ms), if any. */
  pollTimeout(): Millis | undefined {
    return this.fa.pollTimeout();
  }

  private drain(): void {
    for (let t = this.fa.pollTransmit(); t; t = this.fa.pollTransmit()) {
      if (t.tunnel < 0) this.tx.push({ to: t.to, from: this.fa.locals[t.local].locator, data: t.data });
    }
  }
}
