// Drives one sans-I/O endpoint (a HostStack, or any SimEndpoint) with real sockets and one
// real timer: feeds datagrams in, drains pollTransmit() to the sockets, re-arms a single
// setTimeout from pollTimeout(). No node: imports: Node, Deno and browsers share it.
import type { CryptoProvider } from "../core/crypto/provider.ts";
import { isPromise } from "../core/crypto/provider.ts";
import { nobleProvider } from "../core/crypto/noble.ts";
import type { Locator, Millis } from "../core/types.ts";
import { type CryptoJob, runCryptoJob } from "../hip/crypto-jobs.ts";
import { MAX_PUZZLE_TRIES, PuzzleSearch } from "../hip/puzzle.ts";
import type { SimEndpoint } from "../sim/types.ts";
import type { SocketSet } from "../transport/socket-set.ts";

/** A clock in milliseconds. */
export type Clock = () => Millis;

/** `performance.now()`. */
export const monotonicClock: Clock = () => performance.now();

/** Hashing per event-loop turn while a puzzle job runs (ms): the host keeps answering meanwhile. */
const PUZZLE_SLICE_MS = 4;

/** The next event-loop turn after I/O and timers: setImmediate, else setTimeout (a MessageChannel
 *  would not do: Node runs up to 1,000 queued port messages before anything else). */
const later = (f: () => void): unknown => (typeof setImmediate === "function" ? setImmediate(f) : setTimeout(f, 0));

/** Sees every datagram crossing the sockets (pcap, timelines). Must not keep `data` views. */
export type PacketTap = (dir: "in" | "out", now: Millis, data: Uint8Array, from: Locator, to: Locator) => void;

/** Drives one sans-I/O endpoint (a HostStack, or any SimEndpoint) with real sockets and one real timer. */
export class EndpointDriver {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private timerAt: Millis | undefined;
  private closed = false;
  private armQueued = false;
  /** Datagrams handed to the sockets. */
  transmitted = 0;
  /** Sees every datagram in and out (pcap, timelines). */
  tap: PacketTap | undefined;
  /** Crypto jobs that failed on the provider and on the `@noble` fallback. */
  cryptoFailed = 0;

  constructor(
    private readonly endpoint: SimEndpoint,
    /** The sockets it reads and writes. */
    readonly sockets: SocketSet,
    /** The clock it runs on. */
    readonly clock: Clock = monotonicClock,
    /** Called after every input (datagram, timeout, flush) once transmits are drained. */
    private readonly afterInput?: () => void,
    /** Runs the endpoint's crypto jobs (src/hip/crypto-jobs.ts); default `@noble`, synchronously. */
    readonly crypto: CryptoProvider = nobleProvider,
  ) {
    sockets.onDatagram((data, from, to) => {
      if (this.closed) return;
      const now = this.clock();
      this.tap?.("in", now, data, from, to);
      this.endpoint.handleDatagram(now, data, from, to);
      this.flush();
    });
  }

  /** Call after driving the endpoint from outside (connect, send, address change…). */
  flush(): void {
    if (this.closed) return;
    this.runCrypto();
    for (let tx = this.endpoint.pollTransmit(); tx; tx = this.endpoint.pollTransmit()) {
      const local = this.sockets.send(tx);
      if (!local) continue;
      this.transmitted++;
      this.tap?.("out", this.clock(), tx.data, local, tx.to);
    }
    this.afterInput?.();
    this.rearm();
  }

  /** Start every queued crypto job; a result (now, or when its Promise settles) goes back to
   * the endpoint, then its outputs are flushed like those of a datagram. */
  private runCrypto(): void {
    const ep = this.endpoint;
    if (!ep.pollCryptoJob || !ep.handleCryptoResult) return;
    for (let job = ep.pollCryptoJob(); job; job = ep.pollCryptoJob()) {
      const id = job.id;
      if (job.op === "puzzle") {
        this.runPuzzle(job);
        continue;
      }
      const r = runCryptoJob(this.crypto, job);
      if (!isPromise(r)) ep.handleCryptoResult(this.clock(), id, r);
      else
        r.then(
          (v) => {
            if (this.closed) return;
            ep.handleCryptoResult?.(this.clock(), id, v);
            this.flush();
          },
          // runCryptoJob already fell back to @noble; a job failing there too is lost (its
          // handshake times out like a lost packet) instead of an unhandled rejection.
          () => this.cryptoFailed++,
        );
    }
  }

  /**
   * A puzzle job (the peer chose its #K: up to 2^24 hashes, a minute of JavaScript): searched
   * PUZZLE_SLICE_MS at a time, one event-loop turn after another, so datagrams, timers and the
   * application run in between; undefined once its `budgetMs` (the puzzle's Lifetime) is spent
   * or its exchange is gone (`wanted`).
   */
  private runPuzzle(job: Extract<CryptoJob, { op: "puzzle" }>): void {
    const search = new PuzzleSearch(job.rhash, job.randomI, job.hitI, job.hitR, job.k, job.start);
    const giveUpAt = performance.now() + job.budgetMs;
    const turn = (first: boolean): void => {
      if (this.closed) return;
      const end = performance.now() + PUZZLE_SLICE_MS;
      let j: Uint8Array | undefined;
      do j = search.step(64);
      while (!j && search.tried < MAX_PUZZLE_TRIES && performance.now() < end);
      if (!j && search.tried < MAX_PUZZLE_TRIES && performance.now() < giveUpAt && job.wanted?.() !== false) return void later(() => turn(false));
      this.endpoint.handleCryptoResult?.(this.clock(), job.id, j);
      if (!first) this.flush(); // the first turn is inside a flush, which carries on
    };
    turn(true);
  }

  /**
   * Re-arm the timer from pollTimeout(), once per event-loop turn where setImmediate exists:
   * every datagram of a turn changes deadlines, and asking the core each time (it walks its
   * associations and paths) cost more than the ESP crypto. Elsewhere, at once.
   */
  private rearm(): void {
    if (typeof setImmediate !== "function") {
      this.arm(this.endpoint.pollTimeout());
      return;
    }
    if (this.armQueued) return;
    this.armQueued = true;
    setImmediate(this.armNow);
  }

  private readonly armNow = (): void => {
    this.armQueued = false;
    if (!this.closed) this.arm(this.endpoint.pollTimeout());
  };

  private arm(at: Millis | undefined): void {
    if (at === this.timerAt) return;
    // A deadline that moved later keeps the armed timer: it fires early, the core finds nothing
    // due (handleTimeout acts on what is due at `now` only) and the timer is armed again. Data
    // traffic pushes the liveness deadlines ahead every turn (draft §3.3), and re-creating the
    // timer each time cost more than that one early wake-up.
    if (at !== undefined && this.timer !== undefined && this.timerAt !== undefined && at > this.timerAt) return;
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

  /** Stop: no more input, the timer cleared, the sockets closed. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    await this.sockets.close();
  }
}
