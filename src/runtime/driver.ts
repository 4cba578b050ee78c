// Drives one sans-I/O endpoint (a HostStack, or any SimEndpoint) with real sockets and one
// real timer: feeds datagrams in, drains pollTransmit() to the sockets, re-arms a single
// setTimeout from pollTimeout(). No node: imports: Node, Deno and browsers share it.
import type { Millis } from "../core/types.ts";
import type { SimEndpoint } from "../sim/types.ts";
import type { SocketSet } from "../transport/socket-set.ts";

export type Clock = () => Millis;

export const monotonicClock: Clock = () => performance.now();

export class EndpointDriver {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private timerAt: Millis | undefined;
  private closed = false;
  /** Datagrams handed to the sockets. */
  transmitted = 0;

  constructor(
    private readonly endpoint: SimEndpoint,
    readonly sockets: SocketSet,
    readonly clock: Clock = monotonicClock,
    /** Called after every input (datagram, timeout, kick) once transmits are drained. */
    private readonly afterInput?: () => void,
  ) {
    sockets.onDatagram((data, from, to) => {
      if (this.closed) return;
      this.endpoint.handleDatagram(this.clock(), data, from, to);
      this.flush();
    });
  }

  /** Call after driving the endpoint from outside (connect, send, address change…). */
  flush(): void {
    if (this.closed) return;
    for (let tx = this.endpoint.pollTransmit(); tx; tx = this.endpoint.pollTransmit()) {
      if (this.sockets.send(tx)) this.transmitted++;
    }
    this.afterInput?.();
    this.arm(this.endpoint.pollTimeout());
  }

  private arm(at: Millis | undefined): void {
    if (at === this.timerAt) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = at;
    if (at === undefined) return;
    this.timer = setTimeout(() => this.fire(), Math.max(0, Math.ceil(at - this.clock())));
  }

  private fire(): void {
    this.timer = undefined;
    this.timerAt = undefined;
    if (this.closed) return;
    this.endpoint.handleTimeout(this.clock());
    this.flush();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    await this.sockets.close();
  }
}
