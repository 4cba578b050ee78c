// Tiny sans-I/O endpoints used by the simulator tests and benchmarks.
import type { Locator, Millis, Transmit } from "../../src/core/types.ts";
import type { SimEndpoint } from "../../src/sim/types.ts";

/** Answers every datagram with the same bytes, from the address it arrived at. */
export class Echo implements SimEndpoint {
  received = 0;
  private out: Transmit[] = [];
  handleDatagram(_now: Millis, data: Uint8Array, from: Locator, to: Locator): void {
    this.received++;
    this.out.push({ to: from, from: to, data });
  }
  handleTimeout(): void {}
  pollTransmit(): Transmit | undefined {
    return this.out.shift();
  }
  pollTimeout(): Millis | undefined {
    return undefined;
  }
}

/** Sends `count` numbered datagrams every `interval` ms from `start`; records what comes back. */
export class Pinger implements SimEndpoint {
  sent = 0;
  /** [arrival time, sequence number] of each received datagram, in arrival order. */
  got: [Millis, number][] = [];
  addressChanges: { added: Locator[]; removed: Locator[] }[] = [];
  private out: Transmit[] = [];
  private next: Millis | undefined;
  constructor(
    private readonly peer: Locator,
    private readonly count: number,
    private readonly interval: Millis,
    start: Millis = 0,
    private readonly size = 100,
    public from?: Locator,
  ) {
    this.next = count > 0 ? start : undefined;
  }
  handleDatagram(now: Millis, data: Uint8Array): void {
    this.got.push([now, new DataView(data.buffer, data.byteOffset).getUint32(0)]);
  }
  handleTimeout(now: Millis): void {
    if (this.next === undefined || now < this.next) return;
    const data = new Uint8Array(this.size);
    new DataView(data.buffer).setUint32(0, this.sent);
    this.out.push(this.from ? { to: this.peer, from: this.from, data } : { to: this.peer, data });
    this.sent++;
    this.next = this.sent < this.count ? this.next + this.interval : undefined;
  }
  handleAddressChange(_now: Millis, added: readonly Locator[], removed: readonly Locator[]): void {
    this.addressChanges.push({ added: [...added], removed: [...removed] });
  }
  pollTransmit(): Transmit | undefined {
    return this.out.shift();
  }
  pollTimeout(): Millis | undefined {
    return this.next;
  }
}

/** Sink: counts and keeps sequence numbers in arrival order. */
export class Sink implements SimEndpoint {
  seqs: number[] = [];
  times: Millis[] = [];
  handleDatagram(now: Millis, data: Uint8Array): void {
    this.seqs.push(new DataView(data.buffer, data.byteOffset).getUint32(0));
    this.times.push(now);
  }
  handleTimeout(): void {}
  pollTransmit(): Transmit | undefined {
    return undefined;
  }
  pollTimeout(): Millis | undefined {
    return undefined;
  }
}
