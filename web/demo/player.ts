// Playback in virtual time: a requestAnimationFrame loop moves the playhead at `speed` virtual
// ms per real second, asks the source to have simulated that far, and redraws. Quiet stretches
// (only ESP data, no control packet in flight) can be skipped fast; Step jumps to the next
// control-packet departure/arrival or annotation.
import { HORIZON_MS, type Source } from "./sources.ts";

export type PlayState = "ready" | "running" | "paused" | "done";

/** Fast-forward factor for quiet stretches, and how close to the next key event it stops. */
const SKIP_FACTOR = 40;
const SKIP_LEAD_MS = 15;

export class Player {
  t = 0;
  state: PlayState = "ready";
  /** Virtual ms per real second; Infinity = run to the end at once. */
  speed = 25;
  skipIdle = true;
  private last = 0;
  private raf = 0;

  constructor(
    readonly src: Source,
    private readonly onFrame: (p: Player) => void,
  ) {
    src.advance(0);
  }

  run(): void {
    if (this.state === "done" || this.state === "running") return;
    this.state = "running";
    this.last = performance.now();
    this.raf = requestAnimationFrame((n) => this.frame(n));
    this.onFrame(this);
  }

  pause(): void {
    if (this.state !== "running") return;
    cancelAnimationFrame(this.raf);
    this.state = "paused";
    this.onFrame(this);
  }

  stop(): void {
    cancelAnimationFrame(this.raf);
  }

  /** Jump to the next key time (a control packet leaves or arrives, or an annotation). */
  step(): void {
    if (this.state === "done") return;
    if (this.state === "running") cancelAnimationFrame(this.raf);
    this.state = "paused";
    this.seek(this.nextKey(this.t) ?? this.src.end);
  }

  /** Jump to virtual time `t`, also backwards: drawing is a pure function of the log and t. */
  seekTo(t: number): void {
    if (this.state !== "running") this.state = "paused";
    this.seek(Math.max(0, t));
  }

  private seek(t: number): void {
    this.t = Math.min(t, this.src.end);
    this.src.advance(this.t);
    if (this.t >= this.src.end) this.state = "done";
    this.onFrame(this);
  }

  private frame(now: number): void {
    const dtReal = Math.min(now - this.last, 100); // a background tab must not jump ahead
    this.last = now;
    if (!Number.isFinite(this.speed)) {
      this.seek(this.src.end);
      return;
    }
    let dv = (dtReal * this.speed) / 1000;
    if (this.skipIdle && !this.controlInFlight(this.t)) {
      const key = this.nextKey(this.t) ?? this.src.end;
      const room = key - SKIP_LEAD_MS - this.t;
      if (room > dv) dv = Math.min(dv * SKIP_FACTOR, room);
    }
    this.seek(this.t + dv);
    if (this.state === "running") this.raf = requestAnimationFrame((n) => this.frame(n));
  }

  /** Next time after `t` where a non-ESP datagram leaves or arrives, or an annotation sits. */
  nextKey(t: number): number | undefined {
    const eps = 1e-6;
    // A live source only knows HORIZON_MS ahead: look further until something turns up.
    for (let probe = t; ; probe += HORIZON_MS) {
      this.src.advance(probe);
      let best = Number.POSITIVE_INFINITY;
      for (const a of this.src.log.annotations) if (a.t > t + eps) best = Math.min(best, a.t);
      for (const f of this.src.log.flights) {
        if (f.kind === "esp") continue;
        if (f.t0 > t + eps) best = Math.min(best, f.t0);
        else if (f.t1 > t + eps) best = Math.min(best, f.t1);
      }
      if (Number.isFinite(best)) return best;
      if (probe >= this.src.end) return undefined;
    }
  }

  private controlInFlight(t: number): boolean {
    for (const f of this.src.log.between(t, t, 2000)) if (f.kind !== "esp" && f.t0 <= t) return true;
    return false;
  }
}
