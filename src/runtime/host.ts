// RuntimeHost: a HostStack on real sockets and a real clock, with an event-emitter API.
// Transport-neutral (no node: imports): runtime/node.ts and runtime/deno.ts bind the sockets.
// Data plane: in-process DataPlane (default; ESP sealed/opened synchronously per packet), or
// `dataPlane: "worker"` / a WorkerDataPlane: the stack defers ESP (deferEsp) and a
// WorkerEspRunner seals/opens each event-loop turn's packets as one batch in the Worker.
import { cryptoRng } from "../core/rng.ts";
import { intSetting } from "../core/settings.ts";
import { isUnspecified, type Locator, locatorKey, type Rng } from "../core/types.ts";
import type { DataPlane } from "../esp/dataplane.ts";
import { WorkerDataPlane } from "../esp/remote.ts";
import { hitKey } from "../hip/hit.ts";
import type { HostIdentity } from "../hip/identity.ts";
import { defaultCryptoProvider } from "../core/crypto/detect.ts";
import type { CryptoProvider } from "../core/crypto/provider.ts";
import type { HipEvent, HipHostConfig } from "../hip/types.ts";
import type { FaClientOptions } from "../fa/client/client.ts";
import type { MobilityExtensionOptions } from "../mobility/extension.ts";
import { SocketSet } from "../transport/socket-set.ts";
import type { DatagramSocket } from "../transport/types.ts";
import { type Clock, EndpointDriver, monotonicClock, type PacketTap } from "./driver.ts";
import { WorkerEspRunner } from "./esp-runner.ts";
import type { SealJob } from "./esp-work.ts";
import { DrainSchedule } from "./drain.ts";
import { type WorkerIo, workerIoLimits, WorkerUdpSocket } from "./worker-io.ts";
import type { EchoReplyEvent, InnerEvent, InnerOptions } from "./inner.ts";
import { DEFAULT_KEEPALIVE_MS, NatKeepalive } from "./keepalive.ts";
import { HeldSends, type HeldEvent, NoPathQueue, type SendQueueOptions } from "./send-queue.ts";
import { type PeerInfo, peerInfoOf, peerInfos } from "./peer-info.ts";
import { checkSendArgs, HostStack, type HostStackOptions, MAX_DATAGRAM, type SendStatus, type StackEvent } from "./stack.ts";
import { guardSockets } from "./privacy.ts";
import { closableAssociations, closeAssociations, releaseLease } from "./close-associations.ts";
import { connectFailed, connectTimedOut, connectTimeoutMs } from "./connect-timeout.ts";
import { type HostStats, hostStats } from "./stats.ts";
import { callListener } from "../core/listener.ts";

/** The "message" event: a UDP datagram from a peer over ESP. */
export type MessageEvent = Extract<
  StackEvent,
  {
    /** Event kind. */
    type: "message";
  }
>;

/** Events of {@link RuntimeHost} by name (`host.on(name, cb)`). */
export interface RuntimeHostEvents {
  /** A UDP datagram from a peer over ESP. */
  message: MessageEvent;
  /** An association is established (base exchange done). */
  established: Extract<HipEvent, { type: "established" }>;
  /** An association closed. */
  closed: Extract<HipEvent, { type: "closed" }>;
  /** A base exchange or association failed. */
  failed: Extract<HipEvent, { type: "failed" }>;
  /** An inner packet that is not UDP (ICMPv6, TCP…; inner.ts). */
  inner: InnerEvent;
  /** An ICMPv6 Echo Reply to one of our pings. */
  "echo-reply": EchoReplyEvent;
  /** Every stack event, including the ones above. */
  event: StackEvent;
  /** The host stopped on a fatal error (the data plane Worker died); it is closed. */
  error: Error;
  /** A send found no path: held for later, or dropped and reported (send-queue.ts). */
  held: HeldEvent;
  /**
   * Worker data plane: sends refused with "seal-failed" because `limits.maxEspQueue` datagrams
   * waited to be sealed may go on (the queue went to the Worker). Like a stream's "drain".
   */
  drain: undefined;
}

/**
 * In-process (default), or a WorkerDataPlane ("worker": start*Host starts one the host owns;
 * "worker-io", startNodeHost / startDenoHost: that Worker also owns the UDP sockets, worker-io.ts).
 */
export type DataPlaneChoice = DataPlane | WorkerDataPlane | "worker" | "worker-io";

/** Options of {@link RuntimeHost} (and of `startNodeHost` / `startDenoHost`). */
export interface RuntimeHostOptions {
  /** Our host identity. */
  identity: HostIdentity;
  /** Extra HIP core settings (puzzle difficulty, suites, retransmission…). */
  hip?: Omit<Partial<HipHostConfig>, "identity" | "rng">;
  /** Randomness (default: `crypto.getRandomValues`). */
  rng?: Rng;
  /** The ESP data plane: in-process (default), a WorkerDataPlane, or "worker". */
  dataPlane?: DataPlaneChoice;
  /** Close a given WorkerDataPlane with the host (set by start*Host when it made it). */
  closeDataPlane?: boolean;
  /** The sockets are the Worker's (dataPlane "worker-io"; set by startNodeHost / startDenoHost). */
  workerIo?: WorkerIo;
  /** Time source (default: `performance.now()`). */
  clock?: Clock;
  /** Sees every datagram in and out (pcap writers, timelines). */
  tap?: PacketTap;
  /** REA/AC/ACR mobility (draft-nikander-hip-mm-00); on by default, `false` turns it off. */
  mobility?: MobilityExtensionOptions | false;
  /** Lease an address from a Forwarding Agent (started at once; needs mobility). */
  fa?: FaClientOptions;
  /** Sends without a path are held (default 256 per peer for 5000 ms), never dropped silently. */
  sendQueue?: SendQueueOptions;
  /** Inner protocols other than UDP: delivery filter, ICMPv6 echo answering (on), ping bounds. */
  inner?: InnerOptions;
  /** Crypto provider of the control plane (issue 12): signatures, verifications and ECDH run
   * as crypto jobs on it (src/hip/crypto-jobs.ts). startNodeHost default: node:crypto,
   * synchronous (runtime/crypto-node.ts); other start*Host: WebCrypto where it exists, per
   * algorithm `@noble` otherwise (core/crypto/detect.ts); "inline" (and the default
   * of `new RuntimeHost`): `@noble`, synchronously inside the core. */
  crypto?: CryptoProvider | "inline";
  /** NAT keepalive interval on idle association paths (keepalive.ts; default 15 000 ms, 0 = off). */
  natKeepaliveMs?: number;
  /** How long a removed address keeps receiving while peers switch away from it
   * (changeAddresses; default 2000 ms, 0 = close its socket at once). */
  drainMs?: number;
  /** Most removed addresses receiving at once (default 16; beyond, the oldest closes first). */
  drainMax?: number;
  /** UPDATE rekeying (RFC 7402 §6.8-§6.10): `threshold`, the outbound sequence number from which a
   * new SA pair is drawn (default 2^32 − 2^16, before the counter would wrap: RFC 4303 §3.3.3).
   * The pairs come from the association's KEYMAT; once it is used up (about 300 rekeys), or on
   * every rekey with `newDh: "always"`, the rekey brings a new Diffie-Hellman and a new KEYMAT
   * (docs/PROTOCOL.md §7.8). */
  rekey?: HostStackOptions["rekey"];
}

type Listener<T> = (ev: T) => void;

/** A HIP host on real sockets and real time: the {@link HostStack} driven by an {@link EndpointDriver}, with events, held sends, NAT keepalives. */
export class RuntimeHost {
  /** The sans-I/O host stack. */
  readonly stack: HostStack;
  /** What drives it: sockets, timers, the clock. */
  readonly driver: EndpointDriver;
  /** With a Worker data plane: the batch runner (its `stats`, its `dataPlane`). */
  readonly espWorker: WorkerEspRunner | undefined;
  /** dataPlane "worker-io": the Worker's sockets (its `stats`). */
  readonly workerIo: WorkerIo | undefined;
  /** Datagrams waiting for a path (`sendQueue`). */
  readonly held: HeldSends;
  /** NAT keepalives on idle paths (`natKeepaliveMs`). */
  readonly keepalive: NatKeepalive;
  /** Set once the host stopped on a fatal error. */
  error: Error | undefined;
  private readonly listeners = new Map<string, Listener<never>[]>();
  private readonly closeDataPlane: boolean;
  private closing: Promise<void> | undefined;
  private readonly closers: (() => void)[] = [];

  /** True once close() was called. */
  get closed(): boolean {
    return this.closing !== undefined;
  }
  /** connect() calls still waiting: close() rejects them (their timers must not keep a process alive). */
  private readonly connecting = new Set<(e: Error) => void>();
  private pingSeq = 0;

  constructor(sockets: DatagramSocket[], opts: RuntimeHostOptions) {
    const rng = opts.rng ?? cryptoRng;
    const dp = opts.dataPlane;
    if (dp === "worker") throw new TypeError('dataPlane "worker": use startNodeHost/startDenoHost, or pass a WorkerDataPlane');
    if (dp === "worker-io") throw new TypeError('dataPlane "worker-io": use startNodeHost or startDenoHost');
    const worker = dp instanceof WorkerDataPlane ? dp : undefined;
    const provider = opts.crypto === "inline" ? undefined : opts.crypto;
    this.closeDataPlane = worker !== undefined && opts.closeDataPlane === true;
    const clock = opts.clock ?? monotonicClock;
    this.stack = new HostStack({
      // R1 generation counters keep growing across restarts (RFC 7401 §5.2.3: Initiators ignore
      // R1s older than the counter they saw; src/hip/replay.ts).
      // A synchronous provider (node:crypto) also signs what the core signs inline (CLOSE,
      // UPDATE, REA, …; HipHostConfig.syncCrypto) instead of @noble.
      host: { r1CounterStart: BigInt(Date.now()), cryptoJobs: provider !== undefined, syncCrypto: provider, ...opts.hip, identity: opts.identity, rng },
      ...(worker ? { deferEsp: true } : { dataPlane: dp as DataPlane | undefined }),
      onEvent: (ev) => this.dispatch(ev),
      ...(opts.mobility === false ? {} : { mobility: opts.mobility ?? {}, addresses: sockets.map((s) => s.local) }),
      // FAQ Request IDs from the wall clock: a restarted host's are newer than its last run's (client.ts).
      ...(opts.fa ? { fa: { wallOffsetMs: Date.now() - clock(), ...opts.fa } } : {}),
      ...(opts.inner ? { inner: opts.inner } : {}),
      ...(opts.rekey ? { rekey: opts.rekey } : {}),
    });
    // worker-io: sealed packets leave from the Worker's sockets and inbound ESP is opened there,
    // unless something must see every datagram here (a tap) or rewrites them (an FA relay).
    const io = worker && opts.workerIo;
    const fastIo = io && !opts.tap && !this.stack.fa ? io : undefined;
    if (io && !fastIo) io.setFast(false);
    if (io) io.setLimits(workerIoLimits(this.stack.host.limits)); // the Worker's own bounds (PROTOCOL.md §7.9)
    this.espWorker = worker
      ? new WorkerEspRunner(
          this.stack, worker, clock,
          {
            flushed: () => this.driver.flush(),
            failed: (e) => this.fail(e),
            sent: (n) => {
              this.driver.transmitted += n;
            },
            taken: () => {
              if (!this.stack.sealRefused) return;
              this.stack.sealRefused = false;
              this.emit("drain", undefined);
            },
          },
          undefined,
          fastIo && { destOf: (job) => this.destOf(fastIo, job), table: (id, t) => fastIo.table(id, t) },
          // worker-io: sealed packets leave from the Worker and nothing waits for their results
          // here, so rounds overlap (4 in flight: +10-15% round trips measured); "worker" keeps 1.
          io ? 4 : 1,
        )
      : undefined;
    if (io) io.onOpened = (b, n, jobs, release) => this.espWorker?.completeOpened(b, n, jobs, release) === true;
    this.workerIo = io || undefined;
    const runner = this.espWorker;
    this.driver = new EndpointDriver(this.stack, new SocketSet(sockets), clock, runner ? () => runner.kick() : undefined, provider);
    this.driver.tap = opts.tap;
    // Location privacy: nothing but datagrams to an FA leaves any socket (privacy.ts).
    if (this.stack.privacy) guardSockets(this.driver.sockets, this.stack.privacy);
    this.keepalive = new NatKeepalive(this.stack.host, this.driver, intSetting("natKeepaliveMs", opts.natKeepaliveMs, DEFAULT_KEEPALIVE_MS, 0, 2 ** 31));
    this.drain = new DrainSchedule(clock, (l) => this.driver.sockets.remove(l), intSetting("drainMs", opts.drainMs, 2000, 0, 2 ** 31), intSetting("drainMax", opts.drainMax, 16, 1, 65536));
    this.keepalive.start();
    // worker-io: packets the Worker seals and sends never pass the driver's tap.
    this.stack.onDataPlaneSent = (now, to) => this.keepalive.noteOut(now, to);
    this.held = new HeldSends(new NoPathQueue(opts.sendQueue), {
      clock: () => this.driver.clock(),
      send: (hit, sp, dp, data) => {
        const s = this.error ? "no-association" : this.stack.send(hit, sp, dp, data, this.driver.clock());
        if (s === "sent") this.driver.flush();
        return s;
      },
      report: (ev) => this.emit("held", ev),
    });
    if (opts.fa) {
      this.stack.startFa(this.driver.clock());
      this.driver.flush();
    }
  }

  /**
   * Our addresses changed (draft §4.2): `add` sockets were bound to new local addresses,
   * `remove` are given up. The stack sends REAs to every peer. A removed address stops sending at
   * once but keeps receiving for `drainMs`: a peer goes on sending to it until its address check
   * of our new one passes (§4.3: AC, then our ACR), and what it sent meanwhile is not lost.
   * Resolves at once; the drained sockets close later (or on close()).
   */
  async changeAddresses(add: readonly DatagramSocket[], remove: readonly Locator[]): Promise<void> {
    if (this.closing) {
      // Closed (or closing) meanwhile: these sockets would outlive the host and hold the process.
      await Promise.all(add.map((s) => s.close()));
      throw new Error("host closed");
    }
    for (const s of add) this.driver.sockets.add(s);
    const now = this.driver.clock();
    this.stack.handleAddressChange(now, add.map((s) => s.local), remove);
    this.driver.flush();
    const drained = remove.filter((l) => this.driver.sockets.drain(l));
    if (drained.length === 0) return;
    // Without a mobility session no peer learns of the move, so none will switch: nothing to wait for.
    if (this.drain.drainMs <= 0 || (this.stack.mobility?.sessions().length ?? 0) === 0) return this.drain.closeAll().then(() => this.closeDrained(drained));
    for (const l of drained) this.drain.add(l);
  }

  /** Close the sockets of `locals` (drained, not scheduled: closed at once). */
  private async closeDrained(locals: Locator[]): Promise<void> {
    for (const l of locals) await this.driver.sockets.remove(l);
  }

  /**
   * A draining socket bound to `at` (port 0: any port of that IP), an address given up and
   * regained before its drain ended: binding it again would fail while it is open. The caller
   * hands it to changeAddresses as an added socket.
   */
  reclaimDrained(at: Locator): DatagramSocket | undefined {
    const s = this.driver.sockets.reclaim(at);
    if (s) this.drain.forget(s.local);
    return s;
  }

  /** When each removed address stops receiving (changeAddresses). */
  private readonly drain: DrainSchedule;

  /** Our HIT. */
  get hit(): Uint8Array {
    return this.stack.hit;
  }

  /** Bound local locators. */
  get locals(): Locator[] {
    return this.driver.sockets.locals;
  }

  /** Call `cb` on every event `type`. */
  on<K extends keyof RuntimeHostEvents>(type: K, cb: Listener<RuntimeHostEvents[K]>): this {
    const l = this.listeners.get(type) ?? [];
    l.push(cb as Listener<never>);
    this.listeners.set(type, l);
    return this;
  }

  // on() appends in place; off() replaces the array, so emit() iterates a snapshot's length without a copy.
  /** Stop calling `cb`. */
  off<K extends keyof RuntimeHostEvents>(type: K, cb: Listener<RuntimeHostEvents[K]>): this {
    const l = this.listeners.get(type);
    if (l) this.listeners.set(type, l.filter((x) => x !== (cb as Listener<never>)));
    return this;
  }

  /**
   * Run a base exchange with `peer`; resolves with the peer HIT once established, rejects on
   * failure or after `timeoutMs` (default 30 s). Without `peerHit`: opportunistic (RFC 7401 §4.1.8).
   */
  async connect(peer: Locator, peerHit?: Uint8Array, opts: { from?: Locator; timeoutMs?: number } = {}): Promise<Uint8Array> {
    const ms = connectTimeoutMs(opts.timeoutMs, 30_000); // a bad value rejects (async)
    if (peerHit && this.stack.connected(peerHit)) return Promise.resolve(peerHit.slice());
    // No socket of the peer's family (e.g. only [::]:0, which is IPv6-only, for an IPv4 peer):
    // every I1 would be unroutable until the exchange timed out. Say so now (with an FA, the
    // exchange leaves in relay frames to the FA instead, §9).
    const v6 = peer?.ip.includes(":");
    if (v6 !== undefined && !this.stack.fa && !this.closing && !this.error && !this.locals.some((l) => l.ip.includes(":") === v6)) {
      return Promise.reject(new Error(`connect: no ${v6 ? "IPv6" : "IPv4"} address to reach ${locatorKey(peer)} from (bound: ${this.locals.map(locatorKey).join(" ") || "none"})`));
    }
    const want = peerHit ? hitKey(peerHit) : undefined;
    const matches = (ev: { peerHit: Uint8Array }) => (want ? hitKey(ev.peerHit) === want : true);
    return new Promise((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        this.connecting.delete(onError);
        this.off("established", onUp);
        this.off("failed", onFail);
        this.off("error", onError);
        this.off("event", onEvent);
      };
      const onUp = (ev: RuntimeHostEvents["established"]) => {
        if (!matches(ev) || (!want && (ev.peer.ip !== peer.ip || ev.peer.port !== peer.port))) return;
        done();
        resolve(ev.peerHit);
      };
      const onFail = (ev: RuntimeHostEvents["failed"]) => {
        if (!want || !matches(ev)) return;
        done();
        reject(connectFailed(peer, peerHit, ev.reason, ev.state));
      };
      // Simultaneous exchanges (RFC 7401 §4.4.3, Table 3: the larger HIT answers the other's I1):
      // when ours lost, the peer's exchange is the one, with us as Responder. Its SAs installed
      // (R2 sent) is our answer: we may send now, and "established" waits for the peer's first packet.
      const onEvent = (ev: StackEvent) => {
        if (ev.type !== "sa-install" || !want || hitKey(ev.peerHit) !== want) return;
        done();
        resolve(ev.peerHit.slice());
      };
      const onError = (e: Error) => {
        done();
        reject(e);
      };
      const timer = setTimeout(() => {
        done();
        reject(connectTimedOut(this.stack, peer, peerHit, ms));
      }, ms);
      if (this.error) return onError(this.error);
      if (this.closing) return onError(new Error("host closed"));
      this.connecting.add(onError);
      this.on("established", onUp).on("failed", onFail).on("error", onError).on("event", onEvent);
      this.stack.connect(this.driver.clock(), peer, peerHit, opts.from ?? this.sourceFor(peer));
      this.driver.flush();
    });
  }

  /**
   * The bound local locator to reach `peer` from: same family, not a wildcard. Knowing it lets the
   * core compute the I1's checksum over the real pseudo-header (docs/PROTOCOL.md §2).
   */
  private sourceFor(peer: Locator): Locator | undefined {
    const v6 = peer.ip.includes(":");
    const ok = this.locals.filter((l) => l.ip.includes(":") === v6 && !isUnspecified(l.ip));
    const loopback = peer.ip.startsWith("127.") || peer.ip === "::1";
    return ok.find((l) => (l.ip.startsWith("127.") || l.ip === "::1") === loopback) ?? ok[0];
  }

  /** Every association but the closed ones: state, the path ESP takes now, SAs, when the peer was last heard (peer-info.ts). */
  peers(): PeerInfo[] {
    return peerInfos(this.stack, this.driver.clock());
  }

  /** The association with `peerHit` as {@link peers} describes it, if the host holds one. */
  peer(peerHit: Uint8Array): PeerInfo | undefined {
    return peerInfoOf(this.stack, peerHit, this.driver.clock());
  }

  /** Every counter (HIP, UPDATE, mobility, ESP, FA client, Worker, sockets) and every drop by reason. */
  stats(): HostStats {
    const w = this.espWorker && (this.workerIo ? { ...this.espWorker.stats, io: this.workerIo.stats } : this.espWorker.stats);
    return hostStats(this.stack, w, this.driver.sockets.stats(), this.held.counters);
  }

  /** Send one datagram to `peerHit` over ESP (queued while the association comes up). */
  send(peerHit: Uint8Array, srcPort: number, dstPort: number, data: Uint8Array): SendStatus {
    if (this.error) return "no-association";
    if (data.length > MAX_DATAGRAM) return this.stack.send(peerHit, srcPort, dstPort, data); // "too-big", never held
    // stack.send checks the arguments; a datagram held here skips it, so it is checked first
    // (a bad one would throw later, from a timer, when the held ones go).
    if (this.held.waiting(peerHit)) {
      checkSendArgs(srcPort, dstPort, data);
      return this.held.hold(peerHit, srcPort, dstPort, data); // behind held ones, in order
    }
    const s = this.stack.send(peerHit, srcPort, dstPort, data, this.driver.clock());
    if (s === "sent") this.driver.flush();
    if (s === "no-path") return this.held.hold(peerHit, srcPort, dstPort, data);
    return s;
  }

  /** Send one raw inner packet (next header + upper-layer bytes, checksum over the HITs) over ESP. */
  sendInner(peerHit: Uint8Array, nextHeader: number, payload: Uint8Array): SendStatus {
    if (this.error) return "no-association";
    const s = this.stack.sendInner(peerHit, nextHeader, payload, this.driver.clock());
    if (s === "sent") this.driver.flush();
    return s;
  }

  /**
   * ICMPv6 Echo Request to `peerHit`'s HIT (RFC 4443 §4.1); resolves with the matching Echo
   * Reply (its `rttMs`), rejects when it cannot be sent or after `timeoutMs` (default 5 s).
   * `seq` defaults to a per-host counter.
   */
  ping(peerHit: Uint8Array, opts: { seq?: number; data?: Uint8Array; timeoutMs?: number } = {}): Promise<EchoReplyEvent> {
    const seq = (opts.seq ?? ++this.pingSeq) & 0xffff;
    const want = hitKey(peerHit);
    return new Promise((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        this.off("echo-reply", onReply);
      };
      const onReply = (ev: EchoReplyEvent) => {
        if (hitKey(ev.peerHit) !== want || ev.sequence !== seq || ev.identifier !== this.stack.pingIdentifier) return;
        done();
        resolve(ev);
      };
      const timer = setTimeout(() => {
        done();
        this.stack.inner.forget(peerHit, this.stack.pingIdentifier, seq);
        reject(new Error(`ping ${seq}: no reply`));
      }, opts.timeoutMs ?? 5000);
      this.on("echo-reply", onReply);
      const s = this.error ? "no-association" : this.stack.ping(peerHit, seq, opts.data, this.driver.clock());
      if (s === "sent") this.driver.flush();
      else if (s !== "queued") {
        done();
        reject(new Error(`ping ${seq}: ${s}`));
      }
    });
  }

  /**
   * CLOSE the association with `peerHit` (RFC 7401 §5.3.7, §6.14); resolves true once the
   * peer's CLOSE_ACK came within `waitMs` (default 1000), false otherwise (CLOSE retransmits on).
   */
  closeAssociation(peerHit: Uint8Array, waitMs = 1000): Promise<boolean> {
    return closeAssociations(this, [peerHit], waitMs).then((done) => done.length === 1);
  }

  /** New ESP keys with `peerHit` now (UPDATE rekey, RFC 7402 §6.8; `rekey.newDh` decides on a new
   *  Diffie-Hellman): true when a rekey is under way, false without an established association. */
  rekey(peerHit: Uint8Array): boolean {
    const ok = this.stack.rekey(this.driver.clock(), peerHit);
    this.driver.flush();
    return ok;
  }

  /** Run `fn` when the host starts closing (before the CLOSEs: e.g. stop watching interfaces). */
  onClose(fn: () => void): void {
    if (this.closing) fn();
    else this.closers.push(fn);
  }

  /**
   * CLOSE every established association (RFC 7401 §6.14) and wait up to `waitMs` (default 1000;
   * 0: send nothing) for their CLOSE_ACKs, so peers keep no stale association; release the FA
   * lease, if any (draft §4.4.1: a zero-lifetime FAQ), waiting as long for the FA's answer, so
   * the FA forwards nothing more to a host that is gone; then stop the timers and close the
   * sockets (and the Worker data plane the host owns).
   */
  close(waitMs = 1000): Promise<void> {
    this.closing ??= (async () => {
      for (const fn of this.closers.splice(0)) fn();
      for (const cancel of [...this.connecting]) cancel(new Error("host closed"));
      if (!this.error && waitMs > 0) {
        await closeAssociations(this, closableAssociations(this.stack), waitMs);
        await releaseLease(this, waitMs);
      }
      this.espWorker?.stop();
      this.keepalive.stop();
      this.held.stop();
      this.drain.stop();
      await this.driver.close(); // draining sockets too
      this.workerIo?.close();
      if (this.closeDataPlane) await this.espWorker?.dataPlane.close();
    })();
    return this.closing;
  }

  /** worker-io: the Worker's destination id for a seal job (0: the packet comes back here). */
  private destOf(io: WorkerIo, job: SealJob): number {
    const s = this.driver.sockets.socketFor(job.to, job.from);
    return s instanceof WorkerUdpSocket ? io.dest(s, job.to) : 0;
  }

  /** Fatal: report once, then stop cleanly. */
  private fail(e: Error): void {
    if (this.error) return;
    this.error = e;
    void this.close();
    this.emit("error", e);
  }

  private dispatch(ev: StackEvent): void {
    if (ev.type === "mobility") {
      const m = ev.ev;
      // Back from no path by our own move: hold on until the peer acknowledges the REA (send-queue.ts).
      if (m.type === "path-changed" && m.path) {
        if (m.reason === "local-change" && !m.previous) this.held?.awaitProof(ev.peerHit);
        else this.held?.pathChanged(ev.peerHit);
      } else if (m.type === "rea-acked") this.held?.proven(ev.peerHit);
    }
    this.emit(ev.type, ev);
    this.emit("event", ev);
  }

  private emit(type: string, ev: StackEvent | HeldEvent | Error | undefined): void {
    const l = this.listeners.get(type);
    if (!l) return;
    const n = l.length; // listeners added while emitting wait for the next event
    for (let i = 0; i < n; i++) callListener(l[i] as Listener<StackEvent | HeldEvent | Error | undefined>, ev);
  }
}

/** `new RuntimeHost(sockets, opts)`; if that throws (a setting refused), the Worker data plane
 *  it was to own is closed first (worker-io callers close theirs with its sockets). */
export function newRuntimeHost(sockets: DatagramSocket[], opts: RuntimeHostOptions): RuntimeHost {
  try {
    return new RuntimeHost(sockets, opts);
  } catch (e) {
    if (opts.closeDataPlane && !opts.workerIo && opts.dataPlane instanceof WorkerDataPlane) void opts.dataPlane.close();
    throw e;
  }
}

/** Resolves `dataPlane: "worker"` (a new WorkerDataPlane the host will own) for start*Host. */
export async function resolveDataPlane<T extends RuntimeHostOptions>(o: T): Promise<T> {
  // The crypto provider is resolved here too (both start*Host call this): WebCrypto by default.
  const opts = { ...o, crypto: o.crypto ?? (await defaultCryptoProvider()) };
  if (opts.dataPlane === "worker-io") throw new TypeError('dataPlane "worker-io": startNodeHost or startDenoHost binds the Worker\'s sockets');
  if (opts.dataPlane !== "worker") return opts;
  return { ...opts, dataPlane: await WorkerDataPlane.create(), closeDataPlane: true };
}
