// Numbered datagrams at a fixed rate from one `hipmm host` (its stdin) to another (its stdout):
// records when each number was sent and when it arrived, to assert delivery and measure outages.
import type { Proc } from "../helpers/proc.ts";

export class Stream {
  readonly sent: number[] = []; // send time of datagram n (performance.now ms)
  readonly got = new Map<number, number>(); // arrival time of datagram n
  private timer: ReturnType<typeof setInterval> | undefined;
  private buf = "";

  constructor(
    private readonly from: Proc,
    to: Proc,
    readonly tag: string,
    private readonly intervalMs = 10,
  ) {
    to.child.stdout.on("data", (d: string | Buffer) => {
      this.buf += d.toString();
      for (let i = this.buf.indexOf("\n"); i >= 0; i = this.buf.indexOf("\n")) {
        const m = /^(\S+) (\d+)$/.exec(this.buf.slice(0, i));
        this.buf = this.buf.slice(i + 1);
        if (m && m[1] === this.tag && !this.got.has(Number(m[2]))) this.got.set(Number(m[2]), performance.now());
      }
    });
  }

  start(): void {
    this.timer ??= setInterval(() => {
      this.sent.push(performance.now());
      this.from.child.stdin.write(`${this.tag} ${this.sent.length - 1}\n`);
    }, this.intervalMs);
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Arrivals of datagrams sent at or after `t`. */
  arrivedSince(t: number): number {
    let n = 0;
    for (const [k] of this.got) if (this.sent[k] >= t) n++;
    return n;
  }

  /** Resolves once `count` datagrams sent at or after `t` arrived; rejects after `ms`. */
  async waitArrivals(t: number, count: number, ms: number): Promise<void> {
    const end = performance.now() + ms;
    while (this.arrivedSince(t) < count) {
      if (performance.now() > end) throw new Error(`${this.tag}: ${this.arrivedSince(t)}/${count} datagrams sent after t arrived within ${ms} ms (sent ${this.sent.length}, got ${this.got.size})`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /**
   * Outage after an event at `t`: from `t` until the first arrival of a datagram sent after `t`
   * (0 if nothing was lost), and the datagrams sent after `t` that never arrived before that.
   */
  outage(t: number): { ms: number; lost: number } {
    let first = Number.POSITIVE_INFINITY;
    for (const [k, at] of this.got) if (this.sent[k] >= t) first = Math.min(first, at);
    let lost = 0;
    for (let k = 0; k < this.sent.length; k++) if (this.sent[k] >= t && this.sent[k] < first && !this.got.has(k)) lost++;
    return { ms: Math.max(0, first - t), lost };
  }
}
