// Host runtime for places without UDP (browser pages, Web Workers, Cloudflare Workers): a
// HostStack (HIP + WASM ESP data plane + mobility + FA lease client) whose only "socket" is a
// tunnel to a Forwarding Agent (src/transport/tunnel.ts: WebSocket, or WebTransport from
// wt-client.ts), driven by EndpointDriver's single setTimeout. The host leases a locator from
// the FA through the tunnel (draft §5.1) and runs every association from that locator: the FA
// forwards what peers send there (draft §4.4), so UDP hosts see us at the leased locator
// (docs/PROTOCOL.md §11.x). `dataPlane: "worker"` (or a WorkerDataPlane) moves ESP into a Web
// Worker, batched per event-loop turn (esp-runner.ts), as RuntimeHost does. No node: imports.
import { cryptoRng } from "../core/rng.ts";
import type { Locator, Rng } from "../core/types.ts";
import { DataPlane } from "../esp/dataplane.ts";
import { WorkerDataPlane } from "../esp/remote.ts";
import type { ActiveLease, FaClientOptions, FaTarget } from "../fa/client/client.ts";
import { hitKey } from "../hip/hit.ts";
import type { HostIdentity } from "../hip/identity.ts";
import type { HipHostConfig } from "../hip/types.ts";
import type { MobilityExtensionOptions } from "../mobility/extension.ts";
import { SocketSet } from "../transport/socket-set.ts";
import { ReconnectingTunnel, type ReconnectOptions, type TunnelEndpoint, type TunnelOpener } from "../transport/reconnect.ts";
import { type Tunnel, TunnelSocket, WsTunnel } from "../transport/tunnel.ts";
import { WtTunnel } from "../transport/wt-client.ts";
import { loadWasm } from "../wasm/instantiate.ts";
import { defaultCryptoProvider } from "../core/crypto/detect.ts";
import type { CryptoProvider } from "../core/crypto/provider.ts";
import { type Clock, EndpointDriver, monotonicClock } from "./driver.ts";
import { connectFailed, connectTimedOut, connectTimeoutMs } from "./connect-timeout.ts";
import { WorkerEspRunner } from "./esp-runner.ts";
import type { RuntimeHostEvents } from "./host.ts";
import { HeldSends, NoPathQueue, type SendQueueOptions } from "./send-queue.ts";
import { type PeerInfo, peerInfoOf, peerInfos } from "./peer-info.ts";
import { checkSendArgs, HostStack, type HostStackOptions, MAX_DATAGRAM, type SendStatus, type StackEvent } from "./stack.ts";
import { type HostStats, hostStats } from "./stats.ts";
import { closableAssociations, closeAssociations, releaseLease } from "./close-associations.ts";
import { type TunnelPathChanged, TunnelResume } from "./tunnel-resume.ts";
import { callListener } from "../core/listener.ts";

/** Options of {@link TunnelHost} (and `startTunnelHost`). */
export interface TunnelHostOptions {
  /** Our host identity. */
  identity: HostIdentity;
  /** An open tunnel to the FA (WsTunnel / WtTunnel; a ReconnectingTunnel comes back by itself). */
  tunnel: Tunnel;
  /** The FA: its UDP locator (where it leases from) and HIT if known (else learnt from the FAA). */
  fa: FaTarget;
  /** Lease wishes (draft §5.1): address type, SPIs, lifetime… Default: addr type 4, 16 SPIs. */
  lease?: Omit<FaClientOptions, "fas">;
  /** Extra HIP core settings (puzzle difficulty, suites, retransmission…). */
  hip?: Omit<Partial<HipHostConfig>, "identity" | "rng">;
  /** Mobility options (the FA lease is an address of the FA interface). */
  mobility?: MobilityExtensionOptions;
  /** UPDATE rekeying (RFC 7402 §6.8-§6.10): threshold, and when a rekey brings a new Diffie-Hellman (RuntimeHostOptions.rekey). */
  rekey?: HostStackOptions["rekey"];
  /** Randomness (default: `crypto.getRandomValues`). */
  rng?: Rng;
  /** Default: a new DataPlane on the embedded module, compiled asynchronously (fine on a page's
   *  main thread). workerd: pass `new DataPlane(loadWasmSync(module))` (see edge.ts).
   *  "worker": ESP in a Worker (startTunnelHost starts it; the host closes it). */
  dataPlane?: DataPlane | WorkerDataPlane | "worker";
  /** Time source (default: `performance.now()`). */
  clock?: Clock;
  /** Crypto provider for the control plane's crypto jobs (runtime/host.ts); startTunnelHost
   *  default: WebCrypto (+ `@noble` per missing algorithm); "inline": `@noble` inside the core. */
  crypto?: CryptoProvider | "inline";
  /** With a ReconnectingTunnel: sends while the tunnel is being repaired are held (default 256
   *  per peer for 5000 ms) and sent after `path-changed`; what cannot be is reported (`held`). */
  sendQueue?: SendQueueOptions;
}

/** Events of {@link TunnelHost} by name: those of a RuntimeHost plus the tunnel's. */
export type TunnelHostEvents = RuntimeHostEvents & {
  /** The tunnel is gone for good (closed, or a ReconnectingTunnel gave up). */
  "tunnel-closed": {
    /** Why it closed. */
    reason: string;
  };
  /** A ReconnectingTunnel came back and the lease is held again: one per recovery (tunnel-resume.ts). */
  "path-changed": TunnelPathChanged;
};
/** Whether the host closes a given WorkerDataPlane with itself. */
type Owned = { closeDataPlane?: boolean };
type Listener<T> = (ev: T) => void;

/** A HIP host behind a tunnel to a Forwarding Agent (browsers, Workers): its only locator is the one leased from the FA (draft §4.4). */
export class TunnelHost {
  /** The sans-I/O host stack. */
  readonly stack: HostStack;
  /** What drives it: the tunnel socket, timers, the clock. */
  readonly driver: EndpointDriver;
  /** The tunnel as a datagram socket. */
  readonly socket: TunnelSocket;
  /** With a Worker data plane: the batch runner. */
  readonly espWorker: WorkerEspRunner | undefined;
  /** With a ReconnectingTunnel: re-lease and re-announce after each reopen. */
  readonly resume: TunnelResume | undefined;
  /** With a ReconnectingTunnel: datagrams sent while it was down, waiting for `path-changed`. */
  readonly held: HeldSends | undefined;
  private readonly heldPeers = new Map<string, Uint8Array>();
  /** Set once the host stopped on a fatal error (the data plane Worker died). */
  error: Error | undefined;
  private readonly listeners = new Map<string, Listener<never>[]>();
  private readonly closeDataPlane: boolean;
  private dpClosing: Promise<void> | undefined;
  /** Pending waits (connect, lease): close() fails them, so their timers keep no process alive. */
  private readonly waits = new Set<(e: Error) => void>();

  constructor(o: TunnelHostOptions & { dataPlane: DataPlane | WorkerDataPlane } & Owned) {
    const worker = o.dataPlane instanceof WorkerDataPlane ? o.dataPlane : undefined;
    this.closeDataPlane = worker !== undefined && o.closeDataPlane === true;
    const clock = o.clock ?? monotonicClock;
    const provider = o.crypto === "inline" ? undefined : o.crypto;
    this.stack = new HostStack({
      host: { cryptoJobs: provider !== undefined, ...o.hip, identity: o.identity, rng: o.rng ?? cryptoRng },
      ...(worker ? { deferEsp: true } : { dataPlane: o.dataPlane as DataPlane }),
      onEvent: (ev) => this.dispatch(ev),
      mobility: o.mobility ?? {},
      ...(o.rekey ? { rekey: o.rekey } : {}),
      // No address of our own: peers only ever see the leased locator (location privacy, §3.2).
      // FAQ Request IDs from the wall clock: a reloaded page with the same identity is not taken for a replay.
      fa: { addrType: 4, spis: 16, privacy: true, wallOffsetMs: Date.now() - clock(), ...o.lease, fas: [o.fa] },
    });
    this.socket = new TunnelSocket(o.tunnel, o.fa.locator);
    o.tunnel.onClose = (reason) => this.emit("tunnel-closed", { reason });
    const runner =
      worker &&
      new WorkerEspRunner(this.stack, worker, clock, {
        flushed: () => this.driver.flush(),
        failed: (e) => this.fail(e),
        // A send refused with "seal-failed" may go on (as RuntimeHost does).
        taken: () => {
          if (!this.stack.sealRefused) return;
          this.stack.sealRefused = false;
          this.emit("drain", undefined);
        },
      });
    this.espWorker = runner;
    this.driver = new EndpointDriver(this.stack, new SocketSet([this.socket]), clock, runner ? () => runner.kick() : undefined, provider);
    this.resume = o.tunnel instanceof ReconnectingTunnel ? new TunnelResume(o.tunnel, this.socket, this.stack, this.driver, (ev) => this.pathBack(ev)) : undefined;
    this.held = this.resume
      ? new HeldSends(new NoPathQueue(o.sendQueue), {
          clock: () => this.driver.clock(),
          send: (hit, sp, dp, data) => this.sendNow(hit, sp, dp, data),
          report: (ev) => this.emit("held", ev),
        })
      : undefined;
  }

  /** Every association but the closed ones: state, the path ESP takes now, SAs, when the peer was last heard (peer-info.ts). */
  peers(): PeerInfo[] {
    return peerInfos(this.stack, this.driver.clock());
  }

  /** The association with `peerHit` as {@link peers} describes it, if the host holds one. */
  peer(peerHit: Uint8Array): PeerInfo | undefined {
    return peerInfoOf(this.stack, peerHit, this.driver.clock());
  }

  /** Every counter (HIP, UPDATE, mobility, ESP, FA client, Worker, the tunnel socket) and every drop by reason. */
  stats(): HostStats {
    return hostStats(this.stack, this.espWorker?.stats, this.driver.sockets.stats(), this.held?.counters);
  }

  /** The tunnel and lease are back: tell the application, then send what was held. */
  private pathBack(ev: TunnelPathChanged): void {
    this.emit("path-changed", ev);
    for (const hit of this.heldPeers.values()) this.held?.flush(hit);
    this.heldPeers.clear();
  }

  private sendNow(peerHit: Uint8Array, srcPort: number, dstPort: number, data: Uint8Array): SendStatus {
    const s = this.stack.send(peerHit, srcPort, dstPort, data, this.driver.clock());
    this.driver.flush();
    return s;
  }

  /** Our HIT. */
  get hit(): Uint8Array {
    return this.stack.hit;
  }

  /** The current lease (our locator as peers see it), if any. */
  get lease(): ActiveLease | undefined {
    return this.stack.fa?.lease;
  }

  /** Call `cb` on every event `type`. */
  on<K extends keyof TunnelHostEvents>(type: K, cb: Listener<TunnelHostEvents[K]>): this {
    const l = this.listeners.get(type) ?? [];
    l.push(cb as Listener<never>);
    this.listeners.set(type, l);
    return this;
  }

  /** Stop calling `cb`. */
  off<K extends keyof TunnelHostEvents>(type: K, cb: Listener<TunnelHostEvents[K]>): this {
    const l = this.listeners.get(type);
    if (l) this.listeners.set(type, l.filter((x) => x !== (cb as Listener<never>)));
    return this;
  }

  /** Send the FAQ (draft §5.1) and resolve with the granted lease; rejects on FAD or timeout. */
  acquireLease(timeoutMs = 10_000): Promise<ActiveLease> {
    if (this.lease) return Promise.resolve(this.lease);
    const p = this.until<ActiveLease>(timeoutMs, "no lease from the FA", (ev, ok, fail) => {
      if (ev.type !== "fa") return;
      if (ev.ev.type === "leased") ok(ev.ev.lease);
      else if (ev.ev.type === "refused") fail(new Error(`FA refused the lease: ${ev.ev.reasonName} ${ev.ev.message}`));
    });
    this.stack.startFa(this.driver.clock());
    this.driver.flush();
    return p;
  }

  /** Base exchange with `peer` from our leased locator (RFC 7401 §6.6); resolves with the peer HIT. */
  async connect(peer: Locator, peerHit?: Uint8Array, opts: { timeoutMs?: number } = {}): Promise<Uint8Array> {
    const ms = connectTimeoutMs(opts.timeoutMs, 15_000); // a bad value rejects (async)
    const lease = this.lease;
    if (!lease) return Promise.reject(new Error("connect: no lease yet (acquireLease first)"));
    if (peerHit && this.stack.connected(peerHit)) return Promise.resolve(peerHit.slice());
    const want = peerHit ? hitKey(peerHit) : undefined;
    const p = this.until<Uint8Array>(ms, () => connectTimedOut(this.stack, peer, peerHit, ms), (ev, ok, fail) => {
      if (ev.type === "established" && (want ? hitKey(ev.peerHit) === want : ev.peer.ip === peer.ip && ev.peer.port === peer.port)) ok(ev.peerHit);
      // Simultaneous exchanges: ours lost the tie-break and we answered the peer's (RuntimeHost.connect).
      else if (ev.type === "sa-install" && want && hitKey(ev.peerHit) === want) ok(ev.peerHit.slice());
      else if (ev.type === "failed" && want && hitKey(ev.peerHit) === want) fail(connectFailed(peer, peerHit, ev.reason, ev.state));
    });
    this.stack.connect(this.driver.clock(), peer, peerHit, lease.locator);
    this.driver.flush();
    return p;
  }

  /** One datagram to `peerHit` over ESP (queued while the association comes up). */
  send(peerHit: Uint8Array, srcPort: number, dstPort: number, data: Uint8Array): SendStatus {
    if (this.error) return "no-association";
    // While the tunnel is being repaired the FA would drop what we send: hold it (send-queue.ts),
    // its arguments checked now (stack.send checks those it takes at once).
    if (this.held && this.resume?.holding && this.stack.canSend(peerHit) && data.length <= MAX_DATAGRAM) {
      checkSendArgs(srcPort, dstPort, data);
      this.heldPeers.set(hitKey(peerHit), peerHit.slice());
      return this.held.hold(peerHit, srcPort, dstPort, data);
    }
    return this.sendNow(peerHit, srcPort, dstPort, data);
  }

  /** One raw inner packet (next header + upper-layer bytes) to `peerHit` (ICMPv6 echo is answered by the stack). */
  sendInner(peerHit: Uint8Array, nextHeader: number, payload: Uint8Array): SendStatus {
    if (this.error) return "no-association";
    const s = this.stack.sendInner(peerHit, nextHeader, payload, this.driver.clock());
    this.driver.flush();
    return s;
  }

  /** CLOSE one association (RFC 7401 §6.14); true once the peer's CLOSE_ACK came within `waitMs`. */
  async closeAssociation(peerHit: Uint8Array, waitMs = 1000): Promise<boolean> {
    return (await closeAssociations(this, [peerHit], waitMs)).length === 1;
  }

  /** New ESP keys with `peerHit` now (UPDATE rekey, RFC 7402 §6.8; `rekey.newDh` decides on a new
   *  Diffie-Hellman): true when a rekey is under way, false without an established association. */
  rekey(peerHit: Uint8Array): boolean {
    const ok = this.stack.rekey(this.driver.clock(), peerHit);
    this.driver.flush();
    return ok;
  }

  /**
   * `close(peerHit)`: CLOSE that one association (closeAssociation). `close()`: CLOSE every
   * association and wait up to `releaseWaitMs` (default 1000) for their CLOSE_ACKs, release the
   * lease (§4.4.1: a zero-lifetime FAQ) and wait as long for the FA's confirmation, then stop
   * the timer and close the tunnel.
   */
  close(peerHit: Uint8Array, waitMs?: number): Promise<void>;
  close(releaseWaitMs?: number): Promise<void>;
  async close(arg?: Uint8Array | number, waitMs = 1000): Promise<void> {
    if (arg instanceof Uint8Array) {
      await this.closeAssociation(arg, waitMs);
      return;
    }
    const releaseWaitMs = arg ?? 1000;
    for (const fail of [...this.waits]) fail(new Error("host closed"));
    const live = !this.socket.tunnel.closed && !this.error && releaseWaitMs > 0;
    if (live) {
      await closeAssociations(this, closableAssociations(this.stack), releaseWaitMs);
      await releaseLease(this, releaseWaitMs); // the same release as RuntimeHost.close()
    }
    this.espWorker?.stop();
    this.held?.stop();
    await this.driver.close();
    this.dpClosing ??= this.closeDataPlane ? this.espWorker?.dataPlane.close() : undefined;
    await this.dpClosing;
  }

  /** Fatal (the data plane Worker died): report once, stop without waiting for the FA. */
  private fail(e: Error): void {
    if (this.error) return;
    this.error = e;
    void this.close(0);
    this.emit("error", e);
  }

  private until<T>(timeoutMs: number, what: string | (() => Error), match: (ev: StackEvent, ok: (v: T) => void, fail: (e: Error) => void) => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        this.waits.delete(fail);
        this.off("event", onEv);
        this.off("tunnel-closed", onClose);
        this.off("error", fail);
      };
      const ok = (v: T) => {
        done();
        resolve(v);
      };
      const fail = (e: Error) => {
        done();
        reject(e);
      };
      const onEv = (ev: StackEvent) => match(ev, ok, fail);
      const onClose = ({ reason }: { reason: string }) => fail(new Error(`tunnel closed: ${reason}`));
      const timer = setTimeout(() => fail(typeof what === "string" ? new Error(what) : what()), timeoutMs);
      this.waits.add(fail);
      this.on("event", onEv).on("tunnel-closed", onClose).on("error", fail);
    });
  }

  private dispatch(ev: StackEvent): void {
    this.resume?.onEvent(ev);
    this.emit(ev.type, ev);
    this.emit("event", ev);
  }

  private emit(type: string, ev: unknown): void {
    const l = this.listeners.get(type);
    if (!l) return;
    for (const cb of [...l]) callListener(cb as Listener<unknown>, ev);
  }
}

/** Build the host (data plane compiled asynchronously when not given) and take a lease. */
export async function startTunnelHost(o: TunnelHostOptions & { leaseTimeoutMs?: number }): Promise<TunnelHost> {
  const given = o.dataPlane;
  const dataPlane = given === "worker" ? await WorkerDataPlane.create() : (given ?? new DataPlane(await loadWasm()));
  let host: TunnelHost;
  try {
    host = new TunnelHost({ ...o, dataPlane, closeDataPlane: given === "worker", crypto: o.crypto ?? (await defaultCryptoProvider()) });
  } catch (e) {
    if (dataPlane instanceof WorkerDataPlane && given === "worker") await dataPlane.close(); // a setting refused: no Worker left behind
    throw e;
  }
  try {
    await host.acquireLease(o.leaseTimeoutMs);
  } catch (e) {
    await host.close();
    throw e;
  }
  return host;
}

/** Where to open a tunnel to one FA. */
export interface TunnelEndpoints {
  /** The FA's WebTransport endpoint (https://IP:PORT/path) and self-signed certificate hashes. */
  webTransport?: {
    /** The https:// URL. */
    url: string;
    /** SHA-256 hashes of the FA's self-signed certificate. */
    serverCertificateHashes?: Uint8Array[];
  };
  /** The FA's WebSocket endpoint (ws:// or wss://). */
  webSocket?: string;
  /** Per attempt; default 5000 ms. */
  timeoutMs?: number;
}

/** WebTransport datagrams when the runtime has them and the FA answers, else the WebSocket. */
export async function openTunnel(e: TunnelEndpoints): Promise<Tunnel> {
  const errors: string[] = [];
  const timeoutMs = e.timeoutMs ?? 5000;
  if (e.webTransport && typeof (globalThis as { WebTransport?: unknown }).WebTransport === "function") {
    try {
      return await WtTunnel.connect(e.webTransport.url, { serverCertificateHashes: e.webTransport.serverCertificateHashes, timeoutMs });
    } catch (x) {
      errors.push(`webtransport: ${x instanceof Error ? x.message : String(x)}`);
    }
  }
  if (e.webSocket) {
    try {
      return await WsTunnel.connect(e.webSocket);
    } catch (x) {
      errors.push(`websocket: ${x instanceof Error ? x.message : String(x)}`);
    }
  }
  throw new Error(`no tunnel to the FA (${errors.join("; ") || "no endpoint given"})`);
}

/** Options of `connectTunnelHost`: the FAs' endpoints instead of an open tunnel. */
export interface ConnectTunnelHostOptions extends Omit<TunnelHostOptions, "tunnel" | "fa"> {
  /** FAs in order of preference, each with its WebTransport and/or WebSocket endpoint. */
  endpoints: TunnelEndpoint[];
  /** Backoff, liveness PINGs, give-up (transport/reconnect.ts). */
  reconnect?: ReconnectOptions;
  /** How to open one transport (default: the runtime's WebTransport / WebSocket). */
  opener?: TunnelOpener;
  /** How long to wait for the first lease (ms; default 10 000). */
  leaseTimeoutMs?: number;
}

/**
 * A tunnel host that comes back by itself (issue 11 item 6): a ReconnectingTunnel to the first
 * FA that answers (WebTransport, else WebSocket, else the next FA), a lease, and after every
 * drop: reopen with backoff, re-lease, re-announce, one `path-changed` event.
 */
export async function connectTunnelHost(o: ConnectTunnelHostOptions): Promise<TunnelHost> {
  const tunnel = await ReconnectingTunnel.connect(o.endpoints, o.rng ?? cryptoRng, o.reconnect, o.opener);
  try {
    return await startTunnelHost({ ...o, tunnel, fa: tunnel.endpoint.fa });
  } catch (e) {
    await tunnel.close(0);
    throw e;
  }
}
