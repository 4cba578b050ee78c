// Node Forwarding Agent server: UDP sockets for the FA's locators (peers and UDP hosts), an
// optional WebSocket listener for tunnelled hosts (src/transport/ws-node.ts), a wall clock (so
// lease expiry survives restarts with a persistent store), structured logs and counters.
import { createSocket, type Socket } from "node:dgram";
import { networkInterfaces } from "node:os";
import { isUnspecified, type Locator, locatorKey } from "../../core/types.ts";
import { cryptoRng } from "../../core/rng.ts";
import type { HostIdentity } from "../../hip/identity.ts";
import { nodeCryptoDefault } from "../../runtime/crypto-node.ts";
import { DEFAULT_RECV_BUFFER, raiseRecvBuffer } from "../../transport/udp-node.ts";
import { type WsLimits, type WsStats, WsTunnelServer } from "../../transport/ws-node.ts";
import { type FaEvent, ForwardingAgent } from "../core/agent.ts";
import type { FaConfig } from "../core/config.ts";
import type { FaSend } from "../core/forward.ts";
import type { LeaseStore } from "../core/store.ts";
import { FleetLink, type FleetOptions, type FleetRegistry, type FleetStats } from "./fleet.ts";
import { LogLimiter } from "./log-limit.ts";
import { newUdpSendStats, UDP_SEND_DEFAULTS, type UdpSendLimits, type UdpSendStats, UdpSender } from "./udp-send.ts";
import { hitText, withHitText } from "./log-format.ts";
import { StoreDriver } from "./store-driver.ts";

/** Lines per interval by event kind; the rest are summarised (LogLimiter). */
const LOG_BURST: Record<string, number> = { refused: 10, challenged: 10, "store-error": 1, error: 1, "server-error": 1, "udp-error": 1, "store-state": 10 };

/** Options of {@link FaServer.start}. */
export interface FaServerOptions {
  /** The FA's host identity (signs FAA / FAD / R1). */
  identity: HostIdentity;
  /** Locators, limits and lease policy (see `faConfig`). */
  config: FaConfig;
  /** Durable lease store (memory, SQLite, Redis), written through by store jobs. */
  store: LeaseStore;
  /** Run as one node of a fleet sharing `store` (a RedisLeaseStore: it is the registry). */
  fleet?: FleetOptions;
  /** WebSocket tunnel listener (needs the optional package `ws`). */
  ws?: Locator;
  /** One structured record per call (JSON logs); secrets are never passed here. */
  log?: (rec: Record<string, unknown>) => void;
  /** Wall clock in ms (default `Date.now`). */
  clock?: () => number;
  /** WebSocket limits (connection cap, idle timeouts, backpressure, ping rate). */
  wsLimits?: Partial<WsLimits>;
  /** Log rate limiting: interval (default 10 s); lines per kind per interval are LOG_BURST. */
  logIntervalMs?: number;
  /** Forwarding send queues (udp-send.ts: per destination, in all, kernel buffer). */
  udpSend?: Partial<UdpSendLimits>;
  /** SO_RCVBUF asked for every UDP socket (default DEFAULT_RECV_BUFFER, 4 MiB, capped by
   *  net.core.rmem_max; never lowered; 0 = the kernel's default): the relay's bursts. */
  recvBufferSize?: number;
}

/** Everything the FA counts: the agent's counters (drops by reason), the WebSocket listener's,
 *  errors caught in the server's handlers and log lines suppressed by kind. */
export type FaServerStats = ReturnType<ForwardingAgent["stats"]> & {
  /** Errors caught in the server's handlers. */
  serverErrors: number;
  /** The WebSocket listener's counters, if listening. */
  ws?: WsStats;
  /** Log lines suppressed by the rate limit, by kind. */
  logSuppressed: Record<string, number>;
  /** Forwarding send queues. */
  udpSend: UdpSendStats;
  /** The lease store driver's counters. */
  store?: StoreDriver["stats"];
  /** Fleet counters, when a fleet node. */
  fleet?: FleetStats;
};

/** The Forwarding Agent server for Node (what `hipmm fa` runs): UDP sockets, the WebSocket tunnel listener, a durable lease store, optionally a fleet node. */
export class FaServer {
  /** The sans-I/O agent. */
  readonly fa: ForwardingAgent;
  private readonly socks: Socket[] = [];
  private readonly senders: UdpSender[] = [];
  private readonly sendStats = newUdpSendStats();
  private ws: WsTunnelServer | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly clock: () => number;
  private readonly log: (rec: Record<string, unknown>) => void;
  private readonly limiter: LogLimiter;
  private serverErrors = 0;
  private logTimer: ReturnType<typeof setInterval>;
  private driver: StoreDriver | undefined;
  private fleet: FleetLink | undefined;

  private constructor(private readonly o: FaServerOptions) {
    this.clock = o.clock ?? Date.now;
    this.log = o.log ?? (() => {});
    const every = o.logIntervalMs ?? 10_000;
    this.limiter = new LogLimiter(this.log, this.clock, every, (k) => LOG_BURST[k] ?? 1000);
    this.logTimer = setInterval(() => this.limiter.tick(), every);
    this.logTimer.unref();
    // FAQ verification and FAA / FAD / R1 signatures on node:crypto (~10x @noble; issue 12).
    this.fa = new ForwardingAgent({ identity: o.identity, config: o.config, rng: cryptoRng, durable: true, node: o.fleet?.node, syncCrypto: nodeCryptoDefault() });
  }

  /** Bind the sockets (port 0: any), load the store and start the agent. */
  static async start(o: FaServerOptions): Promise<FaServer> {
    // Port 0 means "any": bind those sockets first so the FA core leases the real ports.
    const early = new Map<string, Socket>();
    const resolve = async (l: Locator): Promise<Locator> => {
      if (l.port !== 0) return l;
      const key = locatorKey(l);
      let sock = early.get(key);
      if (!sock) {
        sock = await openUdp(l, o);
        early.set(key, sock);
      }
      return { ip: l.ip, port: sock.address().port };
    };
    const c = o.config;
    // Bound to a wildcard address: every interface address is ours, never a relay destination.
    const wild = [...c.control, ...c.shared4, ...c.pool6].some((l) => isUnspecified(l.ip));
    const own = wild ? Object.values(networkInterfaces()).flatMap((a) => (a ?? []).map((x) => x.address.replace(/%.*$/, ""))) : [];
    const config = {
      ...c,
      ownAddresses: [...c.ownAddresses, ...own],
      control: await Promise.all(c.control.map(resolve)),
      shared4: await Promise.all(c.shared4.map(resolve)),
      pool6: await Promise.all(c.pool6.map(resolve)),
    };
    const bound = new Map([...early.values()].map((k) => [locatorKey({ ip: k.address().address, port: k.address().port }), k]));
    const s = new FaServer({ ...o, config });
    const clock = s.clock;
    s.fa.loadLeases(clock(), await o.store.load(clock())); // a restart loses nothing
    s.driver = new StoreDriver(s.fa, o.store, clock, () => s.after(), (k, rec) => s.limiter.emit(k, rec));
    if (o.fleet) {
      s.fleet = await FleetLink.open(
        o.fleet,
        o.store as unknown as FleetRegistry,
        clock,
        (at, from, data) =>
          s.guarded(() => {
            const d = s.fa.handleFleet(s.clock(), at, from.ip, from.port, data);
            if (d) s.emit(d);
            s.after();
          }),
        // §13.1: a dead node's hosts are taken over by whichever node their packets reach
        (node, down, reason) => {
          s.fa.nodeState(node, down);
          s.limiter.emit("fleet-node", { level: down ? "warn" : "info", msg: down ? "fleet node down: taking over its hosts" : "fleet node up", node, reason, at: s.clock() });
        },
      );
    }
    for (const l of s.fa.locals) {
      const sock = bound.get(locatorKey(l.locator)) ?? (await openUdp(l.locator, o));
      bound.delete(locatorKey(l.locator));
      s.socks.push(s.attach(l.index, l.locator, sock));
    }
    for (const k of bound.values()) k.close();
    if (o.ws) {
      s.ws = await WsTunnelServer.listen(
        o.ws,
        {
          message: (id, remote, data) => s.onTunnel(id, remote, data),
          close: (id) => s.guarded(() => s.fa.tunnelClosed(id)),
          bound: (id) => s.fa.tunnelBound(id),
        },
        o.wsLimits,
      );
    }
    s.fa.handleTimeout(s.clock()); // leases that expired while we were down
    s.fa.announceRestart(s.clock()); // holders of restored leases: "we are back" (holder probes)
    s.after();
    return s;
  }

  /** Bound UDP locators (port 0 in the config is resolved here) and the WebSocket one. */
  get udp(): Locator[] {
    return this.socks.map((k) => {
      const a = k.address();
      return { ip: a.address, port: a.port };
    });
  }

  /** The WebSocket listener's locator, if listening. */
  get wsLocator(): Locator | undefined {
    return this.ws?.locator;
  }

  /** Every counter, drops by reason (issue 9 item 10: `hipmm fa --stats` / SIGUSR1 print this). */
  stats(): FaServerStats {
    const ws = this.ws?.stats;
    const core = this.fa.stats();
    const fleet = this.fleet ? { fleet: this.fleet.counters } : {};
    return { ...core, faHit: hitText(core.faHit), serverErrors: this.serverErrors, ...(ws ? { ws } : {}), logSuppressed: { ...this.limiter.total }, udpSend: { ...this.sendStats, errors: { ...this.sendStats.errors } }, ...(this.driver ? { store: { ...this.driver.stats } } : {}), ...fleet };
  }

  /** Stop: close the listener, sockets and store. */
  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    clearInterval(this.logTimer);
    this.limiter.tick();
    await this.ws?.close();
    this.fleet?.close();
    await Promise.all(this.socks.map((k) => new Promise<void>((r) => k.close(() => r()))));
    await this.o.store.close();
  }

  private attach(index: number, l: Locator, sock: Socket): Socket {
    sock.on("message", (msg, rinfo) =>
      this.guarded(() => {
        const d = this.fa.handleDatagram(this.clock(), index, rinfo.address, rinfo.port, msg);
        if (d) this.emit(d);
        this.after();
      }),
    );
    sock.on("error", (e) => this.limiter.emit("udp-error", { level: "warn", msg: "udp error", local: l, error: String(e) }));
    this.senders[index] = new UdpSender(sock, this.sendStats, { ...UDP_SEND_DEFAULTS, ...this.o.udpSend }, (e) => this.limiter.emit("udp-error", { level: "warn", msg: "udp send error", local: l, error: String(e) }));
    return sock;
  }

  private onTunnel(id: number, remote: Locator, data: Uint8Array): void {
    this.guarded(() => {
      const d = this.fa.handleTunnel(this.clock(), id, remote, data);
      if (d) this.emit(d);
      this.after();
    });
  }

  /** The server's catch-and-count boundary: nothing a peer sends ends the process. */
  private guarded(f: () => void): void {
    try {
      f();
    } catch (e) {
      this.serverErrors++;
      this.limiter.emit("server-error", { level: "error", msg: "fa server error", error: e instanceof Error ? e.message : String(e) });
    }
  }

  private emit(d: FaSend): void {
    if (d.node !== undefined) this.fleet?.send(d.node, this.fa.locals[d.local].locator, d.to, d.data);
    else if (d.tunnel >= 0) this.ws?.send(d.tunnel, d.data);
    else this.senders[d.local]?.send(d.data, d.to.port, d.to.ip);
  }

  /** Drain control answers and events, re-arm the expiry timer. */
  private after(): void {
    this.driver?.pump();
    for (let t = this.fa.pollTransmit(); t; t = this.fa.pollTransmit()) this.emit(t);
    for (let e = this.fa.pollEvent(); e; e = this.fa.pollEvent()) this.logEvent(e);
    const at = this.fa.pollTimeout();
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (at !== undefined) {
      this.timer = setTimeout(() => this.guarded(() => {
        this.fa.handleTimeout(this.clock());
        this.after();
      }), Math.max(0, Math.min(at - this.clock(), 2 ** 31 - 1)));
      this.timer.unref?.();
    }
  }

  private logEvent(e: FaEvent): void {
    if (e.type === "store-error" || e.type === "error") this.limiter.emit(e.type, { level: "error", msg: e.type === "error" ? "fa error" : "lease store error", error: e.message });
    else this.limiter.emit(e.type, { level: e.type === "refused" ? "warn" : "info", msg: `lease ${e.type}`, ...withHitText(e) });
  }
}

/** A locator every fleet node binds (docs/OPERATIONS.md): SO_REUSEADDR lets several processes
 *  on one machine bind it; Linux delivers to one of them and moves on when it dies. */
function isShared(o: FaServerOptions, l: Locator): boolean {
  return !!o.fleet?.shared?.some((x) => x.ip === l.ip && x.port === l.port);
}

/** A UDP socket bound to `l` (SO_REUSEADDR when it is a fleet-shared locator), with the receive
 *  buffer `o.recvBufferSize` asks for. */
function openUdp(l: Locator, o: FaServerOptions): Promise<Socket> {
  const v6 = l.ip.includes(":");
  const sock = createSocket({ type: v6 ? "udp6" : "udp4", ipv6Only: v6, reuseAddr: isShared(o, l) });
  return new Promise((resolve, reject) => {
    sock.once("error", reject);
    sock.bind(l.port, l.ip, () => {
      sock.off("error", reject);
      raiseRecvBuffer(sock, o.recvBufferSize ?? DEFAULT_RECV_BUFFER);
      resolve(sock);
    });
  });
}
