// Log lines per kind are rate limited (issue 9 item 5: one refusal = one line let a FAQ flood
// write 2 MB of log a minute): at most `burst` lines of a kind per interval, the rest counted
// and reported as one summary line when the interval ends.
export type LogFn = (rec: Record<string, unknown>) => void;

export class LogLimiter {
  private windowStart: number;
  private readonly shown = new Map<string, number>();
  private readonly suppressed = new Map<string, number>();
  /** Lines suppressed since start, by kind (for stats). */
  readonly total: Record<string, number> = {};

  constructor(
    private readonly log: LogFn,
    private readonly clock: () => number,
    private readonly intervalMs: number,
    private readonly burst: (kind: string) => number,
  ) {
    this.windowStart = clock();
  }

  emit(kind: string, rec: Record<string, unknown>): void {
    this.tick();
    const n = this.shown.get(kind) ?? 0;
    if (n < this.burst(kind)) {
      this.shown.set(kind, n + 1);
      this.log(rec);
      return;
    }
    this.suppressed.set(kind, (this.suppressed.get(kind) ?? 0) + 1);
    this.total[kind] = (this.total[kind] ?? 0) + 1;
  }

  /** Ends the interval when it is over: one summary line for what was suppressed in it. */
  tick(): void {
    const now = this.clock();
    if (now - this.windowStart < this.intervalMs) return;
    if (this.suppressed.size > 0) {
      this.log({ level: "warn", msg: "log lines suppressed", suppressed: Object.fromEntries(this.suppressed), intervalMs: this.intervalMs });
    }
    this.suppressed.clear();
    this.shown.clear();
    this.windowStart = now;
  }
}
