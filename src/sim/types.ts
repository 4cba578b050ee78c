// Public types of the deterministic network simulator (src/sim). No node: imports anywhere
// under src/sim: the web demo runs the same simulator in the browser.
import type { CryptoJob, CryptoResult } from "../hip/crypto-jobs.ts";
import type { Locator, Millis, Transmit } from "../core/types.ts";

/**
 * A sans-I/O endpoint the simulator can drive (quinn-proto style). After every delivery,
 * timeout or script action the simulator drains `pollTransmit()` and re-arms `pollTimeout()`.
 */
export interface SimEndpoint {
  /** Deliver one datagram from `from` to our `to` at virtual time `now`. */
  handleDatagram(now: Millis, data: Uint8Array, from: Locator, to: Locator): void;
  /** The time from `pollTimeout` has come. */
  handleTimeout(now: Millis): void;
  /** The next datagram to send, if any. */
  pollTransmit(): Transmit | undefined;
  /** Absolute virtual time of the next wanted `handleTimeout`, or undefined for none. */
  pollTimeout(): Millis | undefined;
  /** Optional: public-key operations as jobs (src/hip/crypto-jobs.ts); the driver runs each on
   * a crypto provider and hands the result back. */
  pollCryptoJob?(): CryptoJob | undefined;
  /** The result of a crypto job taken with `pollCryptoJob`. */
  handleCryptoResult?(now: Millis, id: number, result: CryptoResult): void;
  /** Optional: told when the simulator adds/removes addresses of this endpoint's node. */
  handleAddressChange?(now: Millis, added: readonly Locator[], removed: readonly Locator[]): void;
}

/** Properties of one direction of a path. Probabilities are in [0, 1]. */
export interface LinkParams {
  /** One-way base delay. */
  latency: Millis;
  /** Extra delay drawn uniformly from [0, jitter]; on its own it keeps FIFO order. */
  jitter: Millis;
  /** Probability a datagram is lost. */
  loss: number;
  /** Probability a datagram is held back by `reorderDelay`, letting later ones overtake it. */
  reorder: number;
  /** Hold-back for reordered datagrams (default max(latency, 2 * jitter, 1)). */
  reorderDelay?: Millis;
  /** Probability a datagram is delivered twice (the copy gets its own delay). */
  duplicate: number;
  /** Serialization rate in bytes per second (undefined = unlimited). */
  bandwidth?: number;
  /** With `bandwidth`: tail-drop a datagram that would make the backlog (bytes queued or being
   *  serialized, itself included) exceed this (default unlimited). */
  queueBytes?: number;
}

/** Default link: 10 ms one-way latency, no jitter, loss, reordering or duplication. */
export const DEFAULT_LINK: LinkParams = { latency: 10, jitter: 0, loss: 0, reorder: 0, duplicate: 0 };

/** Where a path or partition applies: a node (by name) or one of its addresses. */
export type SimTarget = string | Locator;

/** What happened to a datagram in a trace event. */
export type TraceKind = "sent" | "delivered" | "lost" | "duplicated" | "dropped-no-address" | "dropped-queue";

/** Why a datagram did not arrive. */
export type DropReason = "loss" | "partition" | "no-source" | "no-destination" | "queue";

/** One datagram event. `id` links a datagram's sent/duplicated/delivered/lost events. */
export interface TraceEvent {
  /** Virtual time (ms). */
  t: Millis;
  /** What happened. */
  kind: TraceKind;
  /** Datagram ID. */
  id: number;
  /** Source locator. */
  from: Locator;
  /** Destination locator. */
  to: Locator;
  /** Datagram size (bytes). */
  bytes: number;
  /** Sending node for "sent"; receiving node for "delivered" (undefined for injected/unowned). */
  node?: string;
  /** Why it was dropped (lost events). */
  reason?: DropReason;
  /** The datagram itself, when the simulator was created with `trace: "data"`. */
  data?: Uint8Array;
}

/** Counters of a whole simulation. */
export interface SimStats {
  /** Events processed. */
  events: number;
  /** Datagrams sent. */
  sent: number;
  /** Datagrams delivered. */
  delivered: number;
  /** Datagrams lost to link loss. */
  lost: number;
  /** Datagrams lost to a partition. */
  partitioned: number;
  /** Datagrams duplicated. */
  duplicated: number;
  /** Datagrams to an address nobody owns. */
  droppedNoAddress: number;
  /** Datagrams tail-dropped by a full link queue. */
  droppedQueue: number;
  /** Bytes sent. */
  bytesSent: number;
  /** Bytes delivered. */
  bytesDelivered: number;
  /** Endpoint timeouts fired. */
  timeouts: number;
  /** Script actions run (`at` / `after`). */
  actions: number;
}

/** Counters of one node. */
export interface NodeStats {
  /** Datagrams it sent. */
  sent: number;
  /** Datagrams it received. */
  received: number;
  /** Bytes it sent. */
  bytesSent: number;
  /** Bytes it received. */
  bytesReceived: number;
  /** Timeouts fired. */
  timeouts: number;
}

/** Outcome of a run call. */
export interface RunResult {
  /** "time": reached the time bound; "idle": nothing left to do; "limit": hit maxEvents; "done": predicate true. */
  reason: "time" | "idle" | "limit" | "done";
  /** Events processed by this call. */
  events: number;
  /** Virtual time at the end. */
  now: Millis;
}

/** Options of a {@link Simulator}. */
export interface SimOptions {
  /** PRNG seed: the same seed and script give the same run. */
  seed: number;
  /** Default parameters for every path without an override. */
  link?: Partial<LinkParams>;
  /** "on" (default) records events, "data" also keeps each datagram's bytes, "off" records none. */
  trace?: "on" | "data" | "off";
  /** Default hard bound on events per run call (default 1_000_000). */
  maxEvents?: number;
  /** Bound on transmits drained from one endpoint at once (default 100_000). */
  maxBurst?: number;
}
