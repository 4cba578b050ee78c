// Tunnels that come back (issue 11 item 6; docs/PROTOCOL.md §9.3): a Tunnel that stays open for
// its user while the transport under it drops and is opened again. Each attempt tries the FAs of
// a list in order (the current one first), and for each FA its WebTransport endpoint, then its
// WebSocket; between failed rounds it waits with exponential backoff, bounded (maxDelayMs) and
// jittered from the Rng passed in (no Math.random). A tunnel that is silent for `deadAfterMs`
// while we PING it (every `pingIntervalMs` without a frame from the FA) is declared dead and
// reopened: a browser whose network changed often gets no close event at all.
// Standard web APIs and timers only (no node: imports); the opener is injectable (Workers).
import type { Rng } from "../core/types.ts";
import type { FaTarget } from "../fa/client/client.ts";
import { emitTunnelFrame, TunnelFrameType } from "../wire/tunnel.ts";
import { type Tunnel, type TunnelKind, WsTunnel } from "./tunnel.ts";
import { WtTunnel } from "./wt-client.ts";

/** One FA reachable through a tunnel: its UDP locator (where it leases from) and endpoints. */
export interface TunnelEndpoint {
  /** The FA (its UDP locator and HIT if known). */
  fa: FaTarget;
  /** WebTransport (https://IP:PORT/path) and the self-signed certificate hashes, if any. */
  webTransport?: {
    /** The https:// URL. */
    url: string;
    /** SHA-256 hashes of the FA's self-signed certificate. */
    serverCertificateHashes?: Uint8Array[];
  };
  /** WebSocket (ws:// or wss://). */
  webSocket?: string;
}

/** How a dropped tunnel is brought back: backoff between rounds, attempt timeout, liveness PINGs. */
export interface ReconnectOptions {
  /** First wait after a failed round (default 50 ms); doubles (`factor`) up to `maxDelayMs`. */
  initialDelayMs?: number;
  /** Longest wait between rounds (default 500 ms: a restarted FA is found within about that). */
  maxDelayMs?: number;
  /** Growth of the wait per failed round (default 2). */
  factor?: number;
  /** Fraction of each wait taken off at random (default 0.5: wait in [d/2, d]). */
  jitter?: number;
  /** Per connection attempt (default 3000 ms). */
  attemptTimeoutMs?: number;
  /** Give up (onClose) after this long without a tunnel (default: never). */
  giveUpAfterMs?: number;
  /** PING the FA after this long without a frame from it (default 2000 ms; 0 = never). */
  pingIntervalMs?: number;
  /** No frame at all for this long while pinging: the tunnel is dead (default 3 × pingIntervalMs). */
  deadAfterMs?: number;
}

/** Opens one transport to one endpoint (default: openEndpoint). */
export type TunnelOpener = (e: TunnelEndpoint, kind: TunnelKind, timeoutMs: number) => Promise<Tunnel>;

/** A transport (re)opened by a {@link ReconnectingTunnel}. */
export interface TunnelUp {
  /** Its transport. */
  kind: TunnelKind;
  /** Index into the endpoint list. */
  index: number;
  /** The endpoint. */
  endpoint: TunnelEndpoint;
  /** Rounds it took (1 = the first try worked). */
  attempts: number;
  /** How long there was no tunnel (0 for the first open). */
  downMs: number;
  /** Reopened after a drop (false for the first open). */
  reconnected: boolean;
}

/** The standard opener: WtTunnel / WsTunnel with the runtime's own WebTransport / WebSocket. */
export const openEndpoint: TunnelOpener = (e, kind, timeoutMs) => {
  if (kind === "webtransport") return WtTunnel.connect(e.webTransport!.url, { serverCertificateHashes: e.webTransport!.serverCertificateHashes, timeoutMs });
  return WsTunnel.connect(e.webSocket!, undefined, timeoutMs);
};

function withTimeout<T extends Tunnel>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no answer after ${ms} ms`)), ms)));
  // A tunnel that opens after the deadline is closed, not leaked.
  p.then(
    (t) => {
      if (timer === undefined) void t.close(0);
    },
    () => {},
  );
  return Promise.race([p, late]).finally(() => {
    clearTimeout(timer);
    timer = undefined;
  });
}

/** Backoff wait before round `n` (n ≥ 1): min(max, initial·factor^(n-1)) minus a random share. */
export function backoffDelay(n: number, rng: Rng, o: ReconnectOptions = {}): number {
  const base = Math.min(o.maxDelayMs ?? 500, (o.initialDelayMs ?? 50) * (o.factor ?? 2) ** Math.max(0, n - 1));
  const r = rng.fill(new Uint8Array(2));
  const u = ((r[0] << 8) | r[1]) / 0x10000;
  return Math.round(base * (1 - (o.jitter ?? 0.5) * u));
}

/** A tunnel to a list of FAs that reopens itself after a drop (backoff with jitter, liveness PINGs), moving on to the next FA when one does not answer. */
export class ReconnectingTunnel implements Tunnel {
  onFrame: (frame: Uint8Array) => void = () => {};
  /** Only when given up or closed locally: a drop that is being repaired is no close. */
  onClose: (reason: string) => void = () => {};
  /** The transport dropped; reconnecting. */
  onDown: (reason: string) => void = () => {};
  /** A transport is open (first open, or back after a drop). */
  onUp: (up: TunnelUp) => void = () => {};
  /** True once closed locally or given up. */
  closed = false;
  /** Frames dropped: no transport at the time, or the transport refused them. */
  private dropped = 0;
  /** Drops seen / reopens done. */
  drops = 0;
  /** Reopens done. */
  reconnects = 0;
  private cur: Tunnel | undefined;
  private index = 0;
  private downSince: number | undefined;
  private lastFrame = 0;
  private pingTimer: ReturnType<typeof setInterval> | undefined;
  private waitTimer: ReturnType<typeof setTimeout> | undefined;
  private wake: (() => void) | undefined;
  private readonly o: ReconnectOptions;

  constructor(
    /** The FAs in order of preference. */
    readonly endpoints: readonly TunnelEndpoint[],
    private readonly rng: Rng,
    o: ReconnectOptions = {},
    private readonly open: TunnelOpener = openEndpoint,
  ) {
    if (endpoints.length === 0) throw new RangeError("ReconnectingTunnel needs at least one endpoint");
    for (const e of endpoints) if (!e.webSocket && !e.webTransport) throw new RangeError("a tunnel endpoint needs a webTransport or webSocket address");
    this.o = o;
  }

  /** Open the first tunnel (throws after `giveUpAfterMs`, or after one full round when it is unset). */
  static async connect(endpoints: readonly TunnelEndpoint[], rng: Rng, o: ReconnectOptions = {}, open?: TunnelOpener): Promise<ReconnectingTunnel> {
    const t = new ReconnectingTunnel(endpoints, rng, o, open);
    await t.establish(false);
    return t;
  }

  /** Transport of the current (or last) tunnel. */
  get kind(): TunnelKind {
    return this.cur?.kind ?? "websocket";
  }

  /** The endpoint in use (or last used). */
  get endpoint(): TunnelEndpoint {
    return this.endpoints[this.index];
  }

  /** True while a transport is open. */
  get up(): boolean {
    return this.cur !== undefined && !this.cur.closed;
  }

  get sendErrors(): number {
    return this.dropped + (this.cur?.sendErrors ?? 0);
  }

  send(frame: Uint8Array): void {
    if (!this.cur || this.cur.closed) {
      this.dropped++;
      return;
    }
    this.cur.send(frame);
  }

  async close(waitMs = 1000): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stopPing();
    if (this.waitTimer !== undefined) clearTimeout(this.waitTimer);
    this.wake?.();
    const t = this.cur;
    this.cur = undefined;
    await t?.close(waitMs);
    this.onClose("closed locally");
  }

  /** Rounds of attempts until a transport opens; `reconnect`: after a drop (not thrown, retried). */
  private async establish(reconnect: boolean): Promise<void> {
    const started = Date.now();
    const giveUp = this.o.giveUpAfterMs;
    const errors: string[] = [];
    for (let round = 1; !this.closed; round++) {
      if (round > 1) {
        await this.sleep(backoffDelay(round - 1, this.rng, this.o));
        if (this.closed) return;
      }
      errors.length = 0;
      const n = this.endpoints.length;
      for (let k = 0; k < n && !this.closed; k++) {
        const index = (this.index + k) % n;
        const e = this.endpoints[index];
        const kinds: TunnelKind[] = [];
        if (e.webTransport && typeof (globalThis as { WebTransport?: unknown }).WebTransport === "function") kinds.push("webtransport");
        if (e.webSocket) kinds.push("websocket");
        if (kinds.length === 0 && e.webTransport) kinds.push("webtransport"); // an injected opener may do it
        for (const kind of kinds) {
          try {
            const ms = this.o.attemptTimeoutMs ?? 3000;
            // Bounded even when an injected opener is not (a black-holed TCP SYN retries for minutes).
            const t = await withTimeout(this.open(e, kind, ms), ms + 500, `${kind} to FA ${index}`);
            if (this.closed) {
              await t.close(0);
              return;
            }
            this.adopt(t, index, round, reconnect);
            return;
          } catch (x) {
            errors.push(`${kind} ${index}: ${x instanceof Error ? x.message : String(x)}`);
          }
        }
      }
      const waited = Date.now() - started;
      if ((!reconnect && giveUp === undefined) || (giveUp !== undefined && waited >= giveUp)) {
        const why = `no tunnel to any FA after ${round} round(s) (${errors.join("; ")})`;
        if (!reconnect) throw new Error(why);
        this.closed = true;
        this.onClose(why);
        return;
      }
    }
  }

  private adopt(t: Tunnel, index: number, attempts: number, reconnected: boolean): void {
    this.cur = t;
    this.index = index;
    const downMs = this.downSince === undefined ? 0 : Date.now() - this.downSince;
    this.downSince = undefined;
    this.lastFrame = Date.now();
    if (reconnected) this.reconnects++;
    t.onFrame = (f) => {
      this.lastFrame = Date.now();
      this.onFrame(f);
    };
    t.onClose = (reason) => this.lost(t, reason);
    this.startPing();
    this.onUp({ kind: t.kind, index, endpoint: this.endpoints[index], attempts, downMs, reconnected });
  }

  /** The transport under us closed (or went silent): reopen, unless we are closing. */
  private lost(t: Tunnel, reason: string): void {
    if (this.cur !== t || this.closed) return;
    this.cur = undefined;
    this.drops++;
    this.downSince = Date.now();
    this.stopPing();
    this.onDown(reason);
    void this.establish(true);
  }

  private startPing(): void {
    const every = this.o.pingIntervalMs ?? 2000;
    if (every <= 0) return;
    const dead = this.o.deadAfterMs ?? every * 3;
    this.stopPing();
    this.pingTimer = setInterval(() => {
      const t = this.cur;
      if (!t) return;
      const quiet = Date.now() - this.lastFrame;
      if (quiet >= dead) {
        this.lost(t, `no frame from the FA for ${quiet} ms`);
        void t.close(0);
      } else if (quiet >= every) t.send(emitTunnelFrame({ type: TunnelFrameType.PING, payload: new Uint8Array(0) }));
    }, Math.max(50, Math.min(every, dead) / 2));
    (this.pingTimer as { unref?: () => void }).unref?.();
  }

  private stopPing(): void {
    if (this.pingTimer !== undefined) clearInterval(this.pingTimer);
    this.pingTimer = undefined;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((r) => {
      this.wake = r;
      this.waitTimer = setTimeout(r, ms);
    });
  }
}
