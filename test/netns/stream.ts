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
   * Outage around an event at `t`: the longest gap between consecutive arrivals from the last
   * arrival before `t` to `windowMs` after it (about the send interval when nothing broke), and
   * the datagrams sent in that window (`fromEvent`: the gap starts at `t`) that never arrived (the last 200 ms are left out: in flight).
   */
  outage(t: number, windowMs = 3000, fromEvent = false): { ms: number; lost: number } {
    const times = [...this.got.values()].sort((x, y) => x - y);
    const end = Math.min(t + windowMs, performance.now() - 200); // leave datagrams still in flight out
    let prev = Number.NEGATIVE_INFINITY;
    for (const x of times) if (x < t) prev = x;
    if (fromEvent) prev = t; // nothing flowed before the event (e.g. every interface was down)
    let gap = 0;
    for (const x of times) {
      if (x < t) continue;
      if (x > end) break;
      if (Number.isFinite(prev)) gap = Math.max(gap, x - prev);
      prev = x;
    }
    let lost = 0;
    for (let k = 0; k < this.sent.length; k++) if (this.sent[k] >= t && this.sent[k] <= end && !this.got.has(k)) lost++;
    return { ms: gap, lost };
  }
}

/**
 * Streams both ways between an Initiator and a Responder process once each side reports the
 * association (the Responder only on the first ESP, hence the order): `up` starts first.
 */
export async function streamBothWays(init: Proc, resp: Proc, tags: [string, string], established: RegExp = /established/): Promise<{ up: Stream; down: Stream }> {
  await init.waitFor("err", established);
  const up = new Stream(init, resp, tags[0]);
  up.start();
  await resp.waitFor("err", /established/);
  const down = new Stream(resp, init, tags[1]);
  down.start();
  return { up, down };
}
