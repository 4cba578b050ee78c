// Types of the small high-level API (the `hipmm` entry point). A Transport is what differs per
// runtime (UDP sockets in Node and Deno, a tunnel to a Forwarding Agent in browsers and
// Cloudflare Workers); everything a program does with a host reads the same everywhere.
import type { Rng } from "../core/types.ts";
import type { HipHostConfig } from "../hip/types.ts";
import type { HostIdentity } from "../hip/identity.ts";
import type { MobilityExtensionOptions } from "../mobility/extension.ts";
import type { PeerInfo } from "../runtime/peer-info.ts";
import type { StackEvent } from "../runtime/stack.ts";
import type { HostStats } from "../runtime/stats.ts";
import type { HeldEvent, SendQueueOptions } from "../runtime/send-queue.ts";
import type { DatagramSocket } from "../transport/types.ts";

/** A transport address: an IP address (text) and a UDP port. */
export interface Locator {
  /** "192.0.2.1" or "2001:db8::1". */
  readonly ip: string;
  /** UDP port. */
  readonly port: number;
}

/**
 * What became of a datagram handed to `send`: "sent"; "queued" while the association comes
 * up; "no-association" (none with that peer, or the host failed); "no-path" (held until a
 * path to the peer is back, or dropped and reported); "seal-failed" (ESP could not seal it, or
 * a Worker's queue is full: wait for the host's "drain"); "too-big" (over 65,426 bytes, more than
 * one UDP datagram can carry after ESP; never sent).
 */
export type SendStatus = "sent" | "queued" | "no-association" | "no-path" | "seal-failed" | "too-big";

/** An event listener. */
export type Listener<T> = (ev: T) => void;

/** Both ends of a path: our locator and the peer's. */
export interface PathEnds {
  /** Our locator on this path. */
  local: Locator;
  /** The peer's locator on this path. */
  remote: Locator;
}

/** A locator as text ("192.0.2.1:10500", "[2001:db8::1]:10500") or as an object. */
export type LocatorLike = string | Locator;

/** A HIT as text ("2001:2x:…", RFC 4291 form) or as its 16 bytes. */
export type HitLike = string | Uint8Array;

/** Where a peer is: its locator and, unless opportunistic (RFC 7401 §4.1.8), its HIT. */
export interface PeerAddress {
  /** Where the peer listens. */
  locator: LocatorLike;
  /** The peer's HIT; without it, the first R1's sender is accepted (opportunistic mode). */
  hit?: HitLike;
}

/** A Forwarding Agent (draft-nikander-hip-mm-00 §5): its UDP locator and, if known, its HIT. */
export interface ForwardingAgentAddress {
  /** The FA's UDP locator (where it leases addresses from). */
  locator: LocatorLike;
  /** The FA's HIT, if known (else learnt from its first answer, the FAA). */
  hit?: HitLike;
}

/** What the low-level hosts (RuntimeHost for UDP, TunnelHost for tunnels) have in common. */
export interface HostBackend {
  /** The host's HIT (16 bytes). */
  readonly hit: Uint8Array;
  /** Every stack event (HIP, ESP, mobility, FA client). */
  on(type: "event", cb: (ev: StackEvent) => void): unknown;
  /** The host stopped on a fatal error. */
  on(type: "error", cb: (e: Error) => void): unknown;
  /** A refused send may be retried (Worker data planes). */
  on(type: "drain", cb: () => void): unknown;
  /** A datagram held for want of a path was sent or dropped (runtime/send-queue.ts). */
  on(type: "held", cb: (ev: HeldEvent) => void): unknown;
  /** Base exchange; resolves with the peer's HIT. */
  connect(peer: Locator, peerHit?: Uint8Array, opts?: { timeoutMs?: number }): Promise<Uint8Array>;
  /** One datagram over ESP. */
  send(peerHit: Uint8Array, srcPort: number, dstPort: number, data: Uint8Array): SendStatus;
  /** Every counter and every drop by reason (runtime/stats.ts). */
  stats(): HostStats;
  /** New ESP keys with a peer now (UPDATE rekey); false without an established association. */
  rekey?(peerHit: Uint8Array): boolean;
  /** Every association but the closed ones, as the application sees it (runtime/peer-info.ts). */
  peers?(): PeerInfo[];
  /** One of them, if the host holds it. */
  peer?(peerHit: Uint8Array): PeerInfo | undefined;
  /** Stop timers, close sockets or the tunnel. */
  close(): Promise<void>;
}

/** What an association is doing now ({@link Host.associations}, {@link Association.info}). */
export interface AssociationInfo {
  /** The peer's HIT (text form). */
  peer: string;
  /** HIP state (RFC 7401 §4.4.2): "ESTABLISHED" once data flows; "I1-SENT", "I2-SENT", "R2-SENT"
   *  while it comes up; "CLOSING"; "E-FAILED". */
  state: string;
  /** True when this host started the base exchange. */
  initiator: boolean;
  /** Where ESP to the peer goes now (after a move: the new path, once its address check passed);
   *  undefined while there is none. */
  path: PathEnds | undefined;
  /** Our inbound SPI of the SA pair in use (0 before the base exchange completed). */
  spiIn: number;
  /** The peer's SPI, carried by what we send (0 before the base exchange completed). */
  spiOut: number;
  /** ESP transform suite (RFC 7402 §5.1.2; 13 = AES-GCM-16), 0 before one was chosen. */
  espSuite: number;
  /** Milliseconds since the last authenticated packet (ESP or HIP) from the peer (or since the
   *  association was made, when none came yet). */
  heardMsAgo: number | undefined;
}

/** Settings a Transport passes to the host it starts. */
export interface BackendOptions {
  /** The host's identity. */
  identity: HostIdentity;
  /** HIP settings. */
  hip?: Omit<Partial<HipHostConfig>, "identity" | "rng">;
  /** Mobility settings, or `false` for none. */
  mobility?: MobilityExtensionOptions | false;
  /** Lease an address from this Forwarding Agent (UDP hosts; tunnel hosts always lease). */
  fa?: ForwardingAgentAddress;
  /** Random bytes (default: crypto.getRandomValues). */
  rng?: Rng;
  /** ESP rekeying (HostOptions.rekey). */
  rekey?: RekeyOptions;
  /** Datagrams held while a peer has no path (HostOptions.sendQueue). */
  sendQueue?: SendQueueOptions;
}

/**
 * How a host reaches the network. Made by the runtime entry points: `udp()` from `hipmm/node`
 * and `hipmm/deno`, `tunnel()` from `hipmm/browser`, `workerTunnel()` from `hipmm/worker`.
 */
export interface Transport {
  /** "udp": the host owns its addresses (it can move and multi-home); "tunnel": it lives at a leased locator. */
  readonly kind: "udp" | "tunnel";
  /** Start a low-level host on this transport. */
  start(o: BackendOptions): Promise<HostBackend>;
  /** Bind another local locator (UDP transports: moves and multi-homing). */
  bind?(at: Locator): Promise<DatagramSocket>;
}

/** Options of {@link createHost}. */
export interface HostOptions {
  /** The host's identity (its HIT is derived from it): {@link createIdentity} or {@link identityFromText}. */
  identity: HostIdentity;
  /** How the host reaches the network: `udp()`, `tunnel()` or `workerTunnel()` from a runtime entry point. */
  transport: Transport;
  /** Lease an address from a Forwarding Agent (UDP transports; a tunnel transport names its FA itself). */
  fa?: ForwardingAgentAddress;
  /** HIP settings (puzzle difficulty, suites, retransmission…). */
  hip?: Omit<Partial<HipHostConfig>, "identity" | "rng">;
  /** REA/AC/ACR mobility (on by default; `false` turns it off). */
  mobility?: MobilityExtensionOptions | false;
  /** Inner UDP port of datagrams sent with {@link Association.send} (source and destination). Default 5000. */
  port?: number;
  /** Random bytes (default: crypto.getRandomValues). */
  rng?: Rng;
  /** ESP rekeying (RFC 7402 §6.8-§6.10): `threshold`, datagrams sealed on an SA before a new pair
   *  is made (default 2^32 − 2^16); `newDh: "always"` brings a new Diffie-Hellman on every rekey
   *  (default "exhausted": once the KEYMAT of the last one is used up). */
  rekey?: RekeyOptions;
  /** Datagrams sent while a peer has no usable path are held and sent when one appears (a move,
   *  an interface back): `limit` per peer (default 256), each for `timeoutMs` (default 5000);
   *  what cannot be held or expires is reported by the "dropped" event. */
  sendQueue?: SendQueueOptions;
}

/** See {@link HostOptions.rekey}. */
export interface RekeyOptions {
  /** Outbound sequence number from which a rekey starts (default 2^32 − 2^16). */
  threshold?: number;
  /** When a rekey brings a new Diffie-Hellman: "exhausted" (default) or "always". */
  newDh?: "exhausted" | "always";
}

/** A datagram that arrived over an association. */
export interface MessageEvent {
  /** The sender's HIT (text form). */
  peer: string;
  /** The datagram's payload. */
  data: Uint8Array;
  /** Inner UDP source port. */
  srcPort: number;
  /** Inner UDP destination port. */
  dstPort: number;
  /** The locator it came from. */
  from: Locator;
}

/** Typed events of a {@link Host} (and, filtered to one peer, of an {@link Association}). */
export interface HostEvents {
  /** A datagram arrived. */
  message: MessageEvent;
  /** A base exchange completed (either side started it). */
  established: {
    /** The peer's HIT. */
    peer: string;
    /** The peer's locator. */
    locator: Locator;
    /** Whether this host sent the I1. */
    initiator: boolean;
  };
  /** An association ended (CLOSE from either side, or it timed out). */
  closed: {
    /** The peer's HIT. */
    peer: string;
    /** Who closed it: this host, the peer, a timeout, or the peer stopped answering on every path (mobility `peerDeadMs`). */
    reason: "local" | "peer" | "timeout" | "unreachable";
  };
  /**
   * The peer stopped answering on every path (`reachable: false`: liveness ACs unanswered after
   * the failover timeout, draft §3.3; without mobility, the heartbeat UPDATE unanswered past its
   * first retransmission) or answers again (`true`). Data still goes out meanwhile; after
   * mobility's `peerDeadMs` (or the heartbeat's last retransmission) the association is closed
   * with reason `unreachable`.
   */
  reachability: {
    /** The peer's HIT. */
    peer: string;
    /** False: unreachable; true: it answered again. */
    reachable: boolean;
    /** Since the last authentic packet from the peer (ms). */
    silentMs: number;
  };
  /** A base exchange failed. */
  failed: {
    /** The peer's HIT. */
    peer: string;
    /** Why. */
    reason: string;
  };
  /** The path to a peer changed (draft-nikander-hip-mm-00 §4: REA/AC/ACR, failover). */
  moved: {
    /** The peer's HIT. */
    peer: string;
    /** The previous path, if there was one. */
    from?: PathEnds;
    /** The new path (none: no usable path left). */
    to?: PathEnds;
    /** What changed it. */
    reason: string;
  };
  /**
   * The host's own attachment changed: its Forwarding Agent lease (draft-nikander-hip-mm-00 §5:
   * granted, renewed, refused, released, its FA dead or replaced by another fleet node) or,
   * for tunnel hosts, the tunnel came back after a drop (re-leased and re-announced by itself).
   */
  lease: {
    /** What happened. */
    reason: "leased" | "renewed" | "refused" | "released" | "fa-dead" | "fa-moved" | "lost" | "reconnected";
    /** The leased locator peers reach this host at (leased, renewed, reconnected). */
    locator?: Locator;
    /** The FA concerned (for fa-dead and fa-moved: the one given up). */
    fa?: Locator;
    /** fa-dead / fa-moved: the FA used from now on. */
    next?: Locator;
    /** reconnected: from the drop being noticed to the lease being back, ms. */
    outageMs?: number;
    /** reconnected: true when the lease has another locator or SPI range (peers got an REA). */
    changed?: boolean;
    /** refused: the FAD reason's name and message. */
    detail?: string;
  };
  /**
   * Datagrams a send answered "queued" for that will never be sent: held longer than 5 s without
   * a path (`no-path-timeout`); the association gone meanwhile, or a base exchange that failed
   * while they waited for it (`no-association`); or one refused at once (send said "no-path")
   * because 256 already wait (`queue-full`). Counted in `stats().drops` (`held.<reason>`,
   * `esp.queued.no-association`).
   */
  dropped: {
    /** The peer's HIT. */
    peer: string;
    /** How many datagrams. */
    count: number;
    /** Why. */
    reason: "no-path-timeout" | "queue-full" | "no-association";
  };
  /**
   * Sending may go on: a send refused with "seal-failed" (a Worker data plane's seal queue was
   * full, `limits.maxEspQueue`) found the queue taken. Like a stream's "drain".
   */
  drain: undefined;
  /** The host stopped on a fatal error; it is closed. */
  error: Error;
}
