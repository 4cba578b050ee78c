// Sockets of removed addresses keep receiving for a while (runtime/host.ts changeAddresses, draft
// §4.3: a peer sends to our old address until its address check of the new one passes). Each
// closes `drainMs` after its own removal, and at most `max` drain at once (beyond, the oldest
// closes first). Before, one timer restarted at every move closed them all only after a quiet
// `drainMs`: a host moving more often than that kept every old socket open.
// No node: imports.
import { type Locator, locatorKey, type Millis } from "../core/types.ts";

export class DrainSchedule {
  /** Draining locals by key, oldest removal first, with their closing time. */
  private readonly until = new Map<string, { at: Millis; local: Locator }>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private timerAt: Millis | undefined;

  constructor(
    private readonly clock: () => Millis,
    /** Closes the draining socket bound to `local`. */
    private readonly close: (local: Locator) => Promise<void>,
    /** How long a removed address keeps receiving. */
    readonly drainMs: number,
    /** Most sockets draining at once. */
    readonly max: number,
  ) {}

  /** `local` started draining now. */
  add(local: Locator): void {
    const k = locatorKey(local);
    this.until.delete(k);
    this.until.set(k, { at: this.clock() + this.drainMs, local });
    while (this.until.size > this.max) {
      const [first, e] = this.until.entries().next().value as [string, { local: Locator }];
      this.until.delete(first);
      void this.close(e.local);
    }
    this.arm();
  }

  /** `local` is in use again (reclaimed): not closed. */
  forget(local: Locator): void {
    if (this.until.delete(locatorKey(local))) this.arm();
  }

  /** Close every draining socket now. */
  async closeAll(): Promise<void> {
    this.stop();
    const all = [...this.until.values()];
    this.until.clear();
    for (const e of all) await this.close(e.local);
  }

  /** No more timers (the host closes its sockets itself). */
  stop(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = undefined;
  }

  private arm(): void {
    let next: Millis | undefined;
    for (const e of this.until.values()) if (next === undefined || e.at < next) next = e.at;
    if (next === this.timerAt) return;
    this.stop();
    if (next === undefined) return;
    this.timerAt = next;
    this.timer = setTimeout(this.fire, Math.max(0, Math.ceil(next - this.clock())));
  }

  private readonly fire = (): void => {
    this.timer = undefined;
    this.timerAt = undefined;
    const now = this.clock();
    for (const [k, e] of this.until) {
      if (e.at > now) continue;
      this.until.delete(k);
      void this.close(e.local);
    }
    this.arm();
  };
}
