// The small high-level API: a Host made from an identity and a transport; connect to a peer
// (HIT and locator) and get an Association; send and receive datagrams on it; move or
// multi-home; typed events; close. Same shape in Node, Deno, browsers and Cloudflare Workers:
// only the Transport comes from a runtime entry point (hipmm/node, hipmm/deno, hipmm/browser,
// hipmm/worker). The low-level host stays reachable as `host.backend`.
import { cryptoRng } from "../core/rng.ts";
import { intSetting } from "../core/settings.ts";
import { locatorKey, sameLocator } from "../core/types.ts";
import { hitFromString, hitKey, hitToString } from "../hip/hit.ts";
import { type CurveName, HostIdentity } from "../hip/identity.ts";
import { decodeKeyfile, encodeKeyfile } from "../hip/keyfile.ts";
import type { PeerInfo } from "../runtime/peer-info.ts";
import type { StackEvent } from "../runtime/stack.ts";
import type { HostStats } from "../runtime/stats.ts";
import type { TunnelPathChanged } from "../runtime/tunnel-resume.ts";
import type { DatagramSocket } from "../transport/types.ts";
import { parseLocator } from "../transport/types.ts";
import type { AssociationInfo, HitLike, HostBackend, HostEvents, HostOptions, Listener, Locator, LocatorLike, PeerAddress, SendStatus, Transport } from "./types.ts";
import { callListener } from "../core/listener.ts";

/** Default inner UDP port (source and destination) of {@link Association.send}. */
export const DEFAULT_PORT = 5000;

/** A new host identity (ECDSA P-256 by default; "P-384", "Ed25519"). */
export function createIdentity(curve: Exclude<CurveName, "RSA"> = "P-256"): HostIdentity {
  return HostIdentity.generate(cryptoRng, curve);
}

/** The identity as keyfile text (JSON, private key included: store it like a password). */
export function identityToText(id: HostIdentity): string {
  return encodeKeyfile(id);
}

/** An identity from keyfile text (as written by {@link identityToText} or `hipmm keygen`). */
export function identityFromText(text: string): HostIdentity {
  const r = decodeKeyfile(text);
  if (!r.ok) throw new Error(`identityFromText: ${r.error}`);
  return r.identity;
}

/** A locator from text ("IP:PORT", "[IPv6]:PORT"); throws on bad input. */
export function toLocator(l: LocatorLike): Locator {
  if (typeof l !== "string") {
    if (typeof l?.ip !== "string" || typeof l.port !== "number") throw new Error(`bad locator ${JSON.stringify(l)} (want IP:PORT, [IPv6]:PORT or { ip, port })`);
    return l;
  }
  const loc = parseLocator(l);
  if (!loc) throw new Error(`bad locator '${l}' (want IP:PORT or [IPv6]:PORT)`);
  return loc;
}

/** A HIT's 16 bytes from text or bytes; throws on bad input. */
export function toHit(h: HitLike): Uint8Array {
  if (typeof h !== "string") return h;
  const b = hitFromString(h);
  if (!b) throw new Error(`bad HIT '${h}'`);
  return b;
}

/** A tiny typed event emitter shared by Host and Association. */
class Emitter<E> {
  private readonly map = new Map<keyof E, Listener<never>[]>();
  /** Call `cb` on every event of `type`. */
  on<K extends keyof E>(type: K, cb: Listener<E[K]>): this {
    this.map.set(type, [...(this.map.get(type) ?? []), cb as Listener<never>]);
    return this;
  }
  /** Stop calling `cb`. */
  off<K extends keyof E>(type: K, cb: Listener<E[K]>): this {
    const left = (this.map.get(type) ?? []).filter((x) => x !== (cb as Listener<never>));
    if (left.length > 0) this.map.set(type, left);
    else this.map.delete(type);
    return this;
  }
  /** True while any listener is registered. */
  protected get listening(): boolean {
    return this.map.size > 0;
  }
  protected emit<K extends keyof E>(type: K, ev: E[K]): void {
    for (const cb of this.map.get(type) ?? []) callListener(cb as Listener<E[K]>, ev);
  }
}

/** A runtime PeerInfo with the HIT in text form. */
function toInfo(p: PeerInfo): AssociationInfo {
  const { peerHit, path, ...rest } = p;
  return { peer: hitToString(peerHit), ...rest, path: path && { local: path.local, remote: path.peer } };
}

/** Per-peer events: the host's events for this peer only. */
export type AssociationEvents = Pick<HostEvents, "message" | "closed" | "moved" | "reachability" | "dropped">;

/**
 * A HIP association with one peer: send datagrams over ESP, receive its datagrams, close.
 * A light handle: the host keeps one only while listeners are registered on it (a server
 * whose peers come and go holds nothing per peer it was not asked to), and every handle of
 * the same peer shares those listeners; the association itself lives in the host.
 */
export class Association extends Emitter<AssociationEvents> {
  /** The peer's HIT (text form). */
  readonly peer: string;
  /** @internal */
  constructor(
    private readonly host: Host,
    /** The peer's HIT (16 bytes). */
    readonly peerHit: Uint8Array,
  ) {
    super();
    this.peer = hitToString(peerHit);
  }

  /**
   * One datagram (bytes, or text sent as UTF-8) to the peer over ESP: "sent", "queued" (the
   * association or a path is coming up), or refused — "too-big" for one over 65,426 bytes, more
   * than a UDP packet can carry after ESP (`stats().drops["esp.too-big"]`), "seal-failed"
   * for a full Worker queue (`esp.seal.queue-full`; the host emits "drain" when sending may
   * go on: `host.on("drain", …)`). A "queued" datagram that is never sent is reported by the
   * "dropped" event. Datagrams over the path MTU are fragmented by IP. Data that is neither
   * bytes nor text is a TypeError, a port that is not an integer from 0 to 65535 a RangeError.
   */
  send(data: Uint8Array | string, opts: { srcPort?: number; dstPort?: number } = {}): SendStatus {
    // Anything else (a number, an object, a port out of range) throws a TypeError / RangeError.
    const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
    return this.host.backend.send(this.peerHit, opts.srcPort ?? this.host.port, opts.dstPort ?? this.host.port, bytes);
  }

  /**
   * New ESP keys now (UPDATE rekey, RFC 7402 §6.8-§6.10): a new SA pair each way, the old ones kept
   * until what was sealed on them arrived; with `rekey.newDh: "always"` (createHost) from a new
   * Diffie-Hellman. Rekeys also start by themselves at `rekey.threshold`. True when a rekey is under
   * way, false without an established association.
   */
  rekey(): boolean {
    return this.host.backend.rekey?.(this.peerHit) ?? false;
  }

  /**
   * What the association is doing now: HIP state, the path ESP takes (after a move, the new one),
   * SPIs, suite, how long ago the peer was last heard. Undefined when the host holds none with
   * this peer (never connected, or closed).
   */
  info(): AssociationInfo | undefined {
    const p = this.host.backend.peer?.(this.peerHit);
    return p && toInfo(p);
  }

  /** CLOSE the association (RFC 7401 §5.3.7); the peer answers CLOSE_ACK and both see "closed". */
  async close(): Promise<void> {
    const b = this.host.backend as HostBackend & { closeAssociation?(hit: Uint8Array): unknown };
    if (!b.closeAssociation) throw new Error("close: this transport's host cannot close single associations; close the host");
    await b.closeAssociation(this.peerHit);
  }

  /** Call `cb` on every event of `type` from this peer (on every handle of this peer). */
  override on<K extends keyof AssociationEvents>(type: K, cb: Listener<AssociationEvents[K]>): this {
    const home = this.host.attach(this);
    if (home !== this) home.on(type, cb);
    else super.on(type, cb);
    return this;
  }

  /** Stop calling `cb`; a handle with no listener left is no longer held by the host. */
  override off<K extends keyof AssociationEvents>(type: K, cb: Listener<AssociationEvents[K]>): this {
    super.off(type, cb);
    this.host.detach(this, type, cb);
    return this;
  }

  /** @internal */
  get held(): boolean {
    return this.listening;
  }

  /** @internal */
  deliver<K extends keyof AssociationEvents>(type: K, ev: AssociationEvents[K]): void {
    this.emit(type, ev);
  }
}

/** A HIP host: see {@link createHost}. */
export class Host extends Emitter<HostEvents> {
  /** The host's HIT (text form). */
  readonly hit: string;
  /** Inner UDP port used by {@link Association.send} by default. */
  readonly port: number;
  /** Handles with listeners, by peer HIT (Association.on / off): nothing else is kept per peer. */
  private readonly assocs = new Map<string, Association>();

  /** @internal */
  constructor(
    /** The low-level host (RuntimeHost for UDP transports, TunnelHost for tunnels): every counter and knob. */
    readonly backend: HostBackend,
    private readonly transport: Transport,
    port: number,
  ) {
    super();
    this.hit = hitToString(backend.hit);
    this.port = port;
    backend.on("event", (ev) => this.dispatch(ev));
    backend.on("error", (e) => this.emit("error", e));
    backend.on("drain", () => this.emit("drain", undefined));
    backend.on("held", (ev) => {
      if (ev.type === "send-dropped") this.dropped(ev);
    });
    // Tunnel hosts (TunnelHost): the tunnel reopened by itself after a drop.
    const t = backend as HostBackend & { on(type: "path-changed", cb: (ev: TunnelPathChanged) => void): unknown };
    if (transport.kind === "tunnel") {
      t.on("path-changed", (ev) => this.emit("lease", { reason: "reconnected", locator: ev.lease.locator, fa: ev.lease.fa.locator, outageMs: ev.outageMs, changed: ev.leaseChanged }));
    }
  }

  /** The locators peers reach this host at (bound sockets, or the FA-leased locator). */
  get locators(): Locator[] {
    const b = this.backend as HostBackend & { locals?: Locator[]; lease?: { locator: Locator } };
    if (b.locals) return b.locals;
    return b.lease ? [b.lease.locator] : [];
  }

  /** Base exchange with a peer (RFC 7401 §6.6); resolves with the association once established. */
  async connect(peer: PeerAddress, opts: { timeoutMs?: number } = {}): Promise<Association> {
    if ((this.backend as { closed?: boolean }).closed) throw new Error("host closed");
    const hit = await this.backend.connect(toLocator(peer.locator), peer.hit === undefined ? undefined : toHit(peer.hit), opts);
    return this.association(hit);
  }

  /**
   * A handle on the association with `peer` (sending needs an established one); listeners
   * registered on it before the peer connects get its events too.
   */
  association(peer: HitLike): Association {
    const hit = toHit(peer);
    return this.assocs.get(hitKey(hit)) ?? new Association(this, hit.slice());
  }

  /** @internal The handle holding `a`'s peer's listeners (`a` itself when there is none yet). */
  attach(a: Association): Association {
    const key = hitKey(a.peerHit);
    const home = this.assocs.get(key);
    if (home) return home;
    this.assocs.set(key, a);
    return a;
  }

  /** @internal `cb` removed from `a`'s peer; a handle left without listeners is dropped. */
  detach<K extends keyof AssociationEvents>(a: Association, type: K, cb: Listener<AssociationEvents[K]>): void {
    const key = hitKey(a.peerHit);
    const home = this.assocs.get(key);
    if (home && home !== a) home.off(type, cb);
    else if (home === a && !a.held) this.assocs.delete(key);
  }

  /**
   * Move or multi-home (draft-nikander-hip-mm-00 §4.2): bind `add` locators, drop `remove`
   * ones; every peer gets an REA and the paths follow. UDP transports only.
   */
  async move(change: { add?: LocatorLike[]; remove?: LocatorLike[] }): Promise<void> {
    const b = this.backend as HostBackend & { changeAddresses?(add: DatagramSocket[], remove: Locator[]): Promise<void>; reclaimDrained?(at: Locator): DatagramSocket | undefined; closed?: boolean };
    if (!this.transport.bind || !b.changeAddresses) {
      throw new Error(`move: a ${this.transport.kind} host lives at its leased locator; it has no addresses of its own to move`);
    }
    if (b.closed) throw new Error("host closed");
    // Every locator parsed before any socket is bound: a bad one changes nothing.
    const wanted = (change.add ?? []).map(toLocator);
    const gone = (change.remove ?? []).map(toLocator);
    const add: DatagramSocket[] = [];
    try {
      // An address given up moments ago may still be draining (changeAddresses): take its socket back.
      for (const at of wanted) {
        // Already ours (this exact port): nothing to bind; binding it again failed with EADDRINUSE.
        if (at.port !== 0 && this.locators.some((h) => sameLocator(h, at))) continue;
        add.push(
          b.reclaimDrained?.(at) ??
            (await this.transport.bind(at).catch((e: Error) => {
              throw new Error(`move: cannot bind ${locatorKey(at)}: ${e.message}`, { cause: e });
            })),
        );
      }
    } catch (e) {
      await Promise.all(add.map((s) => s.close()));
      throw e;
    }
    await b.changeAddresses(add, gone);
  }

  /** Every association this host holds but the closed ones ({@link Association.info} for each). */
  associations(): AssociationInfo[] {
    return (this.backend.peers?.() ?? []).map(toInfo);
  }

  /**
   * Every counter by layer (`hip`, `update`, `mobility`, `esp`, `fa`, `worker`, `transport`) and
   * every drop by reason in `drops` ("esp.replay", "hip.bad-signature"…): docs/OPERATIONS.md.
   */
  stats(): HostStats {
    return this.backend.stats();
  }

  /** Close every association's timers and sockets (or the tunnel, releasing the lease). */
  close(): Promise<void> {
    return this.backend.close();
  }

  /** Sends answered "queued" that will never go out (send-queue.ts, or the stack's own queue). */
  private dropped(ev: { peerHit: Uint8Array; dropped: number; reason: HostEvents["dropped"]["reason"] }): void {
    const d = { peer: hitToString(ev.peerHit), count: ev.dropped, reason: ev.reason };
    this.emit("dropped", d);
    this.assocs.get(hitKey(ev.peerHit))?.deliver("dropped", d);
  }

  private dispatch(ev: StackEvent): void {
    switch (ev.type) {
      case "message": {
        const m = { peer: hitToString(ev.peerHit), data: ev.data, srcPort: ev.srcPort, dstPort: ev.dstPort, from: ev.from };
        this.emit("message", m);
        this.assocs.get(hitKey(ev.peerHit))?.deliver("message", m);
        break;
      }
      case "established":
        this.emit("established", { peer: hitToString(ev.peerHit), locator: ev.peer, initiator: ev.initiator });
        break;
      case "closed": {
        const c = { peer: hitToString(ev.peerHit), reason: ev.reason };
        this.assocs.get(hitKey(ev.peerHit))?.deliver("closed", c);
        this.emit("closed", c);
        break;
      }
      case "failed":
        this.emit("failed", { peer: hitToString(ev.peerHit), reason: ev.reason });
        break;
      case "send-dropped":
        this.dropped(ev);
        break;
      case "reachability": {
        const r = { peer: hitToString(ev.peerHit), reachable: ev.reachable, silentMs: ev.silentMs };
        this.emit("reachability", r);
        this.assocs.get(hitKey(ev.peerHit))?.deliver("reachability", r);
        break;
      }
      case "fa": {
        const f = ev.ev;
        if (f.type === "leased") this.emit("lease", { reason: f.renewed ? "renewed" : "leased", locator: f.lease.locator, fa: f.lease.fa.locator });
        else if (f.type === "refused") this.emit("lease", { reason: "refused", fa: f.fa, detail: `${f.reasonName}: ${f.message}` });
        else if (f.type === "fa-dead" || f.type === "fa-moved") this.emit("lease", { reason: f.type, fa: f.fa, next: f.next });
        else if (f.type === "released" || f.type === "lost") this.emit("lease", { reason: f.type, fa: f.fa });
        break;
      }
      case "mobility": {
        if (ev.ev.type !== "path-changed") break;
        const path = (p: { from: Locator; to: Locator } | undefined) => (p ? { local: p.from, remote: p.to } : undefined);
        const m = { peer: hitToString(ev.peerHit), from: path(ev.ev.previous), to: path(ev.ev.path), reason: ev.ev.reason };
        this.emit("moved", m);
        this.assocs.get(hitKey(ev.peerHit))?.deliver("moved", m);
        break;
      }
    }
  }
}

/**
 * A HIP host from an identity and a transport:
 * `const host = await createHost({ identity: createIdentity(), transport: udp("127.0.0.1:0") })`.
 */
export async function createHost(o: HostOptions): Promise<Host> {
  // Before anything is started: what a JavaScript caller (no type checker) may get wrong.
  if (!((o?.identity as { hit?: unknown } | undefined)?.hit instanceof Uint8Array)) throw new TypeError("createHost: identity is not a HostIdentity (createIdentity(), identityFromText(), loadIdentity())");
  if (typeof o.transport?.start !== "function") throw new TypeError('createHost: no transport (udp("0.0.0.0:0"), tunnel({ fa, … }), workerTunnel({ … }))');
  const port = intSetting("port", o.port, DEFAULT_PORT, 0, 65535);
  const backend = await o.transport.start({
    identity: o.identity,
    ...(o.hip ? { hip: o.hip } : {}),
    ...(o.mobility !== undefined ? { mobility: o.mobility } : {}),
    ...(o.fa ? { fa: o.fa } : {}),
    ...(o.rng ? { rng: o.rng } : {}),
    ...(o.rekey ? { rekey: o.rekey } : {}),
    ...(o.sendQueue ? { sendQueue: o.sendQueue } : {}),
  });
  return new Host(backend, o.transport, port);
}
