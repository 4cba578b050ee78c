// Types of the small high-level API (the `hipmm` entry point). A Transport is what differs per
// runtime (UDP sockets in Node and Deno, a tunnel to a Forwarding Agent in browsers and
// Cloudflare Workers); everything a program does with a host reads the same everywhere.
import type { Locator, Rng } from "../core/types.ts";
import type { HipHostConfig } from "../hip/types.ts";
import type { HostIdentity } from "../hip/identity.ts";
import type { MobilityExtensionOptions } from "../mobility/extension.ts";
import type { SendStatus, StackEvent } from "../runtime/stack.ts";
import type { DatagramSocket } from "../transport/types.ts";

export type { Locator, SendStatus };

/** A locator as text ("192.0.2.1:10500", "[2001:db8::1]:10500") or as an object. */
export type LocatorLike = string | Locator;

/** A HIT as text ("2001:2x:…", RFC 4291 form) or as its 16 bytes. */
export type HitLike = string | Uint8Array;

/** Where a peer is: its locator and, unless opportunistic (RFC 7401 §4.1.8), its HIT. */
export interface PeerAddress {
  locator: LocatorLike;
  hit?: HitLike;
}

/** A Forwarding Agent (draft-nikander-hip-mm-00 §5): its UDP locator and, if known, its HIT. */
export interface ForwardingAgentAddress {
  locator: LocatorLike;
  hit?: HitLike;
}

/** What the low-level hosts (RuntimeHost for UDP, TunnelHost for tunnels) have in common. */
export interface HostBackend {
  readonly hit: Uint8Array;
  on(type: "event", cb: (ev: StackEvent) => void): unknown;
  on(type: "error", cb: (e: Error) => void): unknown;
  connect(peer: Locator, peerHit?: Uint8Array, opts?: { timeoutMs?: number }): Promise<Uint8Array>;
  send(peerHit: Uint8Array, srcPort: number, dstPort: number, data: Uint8Array): SendStatus;
  close(): Promise<void>;
}

/** Settings a Transport passes to the host it starts. */
export interface BackendOptions {
  identity: HostIdentity;
  hip?: Omit<Partial<HipHostConfig>, "identity" | "rng">;
  mobility?: MobilityExtensionOptions | false;
  /** Lease an address from this Forwarding Agent (UDP hosts; tunnel hosts always lease). */
  fa?: ForwardingAgentAddress;
  rng?: Rng;
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
  transport: Transport;
  /** Lease an address from a Forwarding Agent (UDP transports; a tunnel transport names its FA itself). */
  fa?: ForwardingAgentAddress;
  /** HIP settings (puzzle difficulty, suites, retransmission…). */
  hip?: Omit<Partial<HipHostConfig>, "identity" | "rng">;
  /** REA/AC/ACR mobility (on by default; `false` turns it off). */
  mobility?: MobilityExtensionOptions | false;
  /** Inner UDP port of datagrams sent with {@link Association.send} (source and destination). Default 5000. */
  port?: number;
  rng?: Rng;
}

/** A datagram that arrived over an association. */
export interface MessageEvent {
  /** The sender's HIT (text form). */
  peer: string;
  data: Uint8Array;
  srcPort: number;
  dstPort: number;
  /** The locator it came from. */
  from: Locator;
}

/** Typed events of a {@link Host} (and, filtered to one peer, of an {@link Association}). */
export interface HostEvents {
  message: MessageEvent;
  /** A base exchange completed (either side started it). */
  established: { peer: string; locator: Locator; initiator: boolean };
  closed: { peer: string; reason: "local" | "peer" | "timeout" };
  failed: { peer: string; reason: string };
  /** The path to a peer changed (draft-nikander-hip-mm-00 §4: REA/AC/ACR, failover). */
  moved: { peer: string; from?: { local: Locator; remote: Locator }; to?: { local: Locator; remote: Locator }; reason: string };
  /** The host stopped on a fatal error; it is closed. */
  error: Error;
}
