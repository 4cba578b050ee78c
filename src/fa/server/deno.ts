// Deno Forwarding Agent server around the same sans-I/O ForwardingAgent core as the Node
// server (server.ts): UDP locators on Deno.listenDatagram, tunnels for hosts without UDP
// (browsers, Workers; docs/PROTOCOL.md §11.x) over WebTransport (Deno.QuicEndpoint +
// Deno.upgradeWebTransport: datagrams, oversized frames as records on a stream) and
// optionally WebSocket (Deno.serve + Deno.upgradeWebSocket). The command line around it is
// src/cli/fa-deno.ts (`deno run --unstable-net -A src/cli/fa-deno.ts --help`).
import { cryptoRng } from "../../core/rng.ts";
import type { Locator } from "../../core/types.ts";
import type { HostIdentity } from "../../hip/identity.ts";
import { record, RecordReader } from "../../transport/wt-client.ts";
import { bindDenoUdp, type DenoUdpSocket } from "../../transport/udp-deno.ts";
import { ForwardingAgent } from "../core/agent.ts";
import { type FaConfig, faConfig } from "../core/config.ts";
import type { FaSend } from "../core/forward.ts";
import { MemoryLeaseStore } from "../store/memory.ts";
import type { LeaseIndex } from "../core/lease-index.ts";
import type { LeaseStore } from "../core/store.ts";
import { StoreDriver } from "./store-driver.ts";
import { LogLimiter } from "./log-limit.ts";
import { withHitText } from "./log-format.ts";

// ---- the few Deno APIs we use (typed here: no Deno type package in this repo) ---------------
interface NetAddr {
  hostname: string;
  port: number;
}
interface QuicConn {
  readonly remoteAddr: NetAddr;
  readonly closed: Promise<unknown>;
  readonly maxDatagramSize: number;
  close(info?: { closeCode: number; reason: string }): void;
}
interface QuicListener extends AsyncIterable<{ accept(): Promise<QuicConn> }> {
  stop(): void;
}
interface QuicEndpoint {
  readonly addr: NetAddr;
  listen(o: { cert: string; key: string; alpnProtocols: string[] }): QuicListener;
  close(): void;
}
interface HttpServer {
  readonly addr: NetAddr;
  shutdown(): Promise<void>;
}
interface DenoNs {
  QuicEndpoint: new (o: { hostname: string; port: number }) => QuicEndpoint;
  upgradeWebTransport(conn: QuicConn): Promise<WebTransport>;
  serve(o: { hostname: string; port: number; onListen?: (a: NetAddr) => void }, h: (req: Request, info: { remoteAddr: NetAddr }) => Response): HttpServer;
  upgradeWebSocket(req: Request): { socket: WebSocket; response: Response };
}
const deno = () => (globalThis as unknown as { Deno: DenoNs }).Deno;

/** Options of {@link DenoFaServer.start}. */
export interface DenoFaOptions {
  /** The FA's host identity (signs FAA / FAD / R1). */
  identity: HostIdentity;
  /** UDP locators (control + shared IPv4); port 0 = any, resolved before the FA starts. */
  udp: Locator[];
  /** More FA settings (puzzle, allow/deny, lease-max…); control/shared4 come from `udp`. */
  config?: Partial<FaConfig>;
  /** The in-memory lease index (default: a new MemoryLeaseStore). */
  store?: LeaseIndex;
  /** A durable LeaseStore the leases are written through to (store jobs, as the Node FA):
   *  a RedisLeaseStore shares them with other FA processes, Node or Deno (docs/OPERATIONS.md
   *  "Deno FA on a shared Redis store"). Default: none, the index is the only record. */
  leaseStore?: LeaseStore;
  /** WebTransport tunnel listener (QUIC, `Deno.QuicEndpoint`). */
  wt?: {
    /** Where the WebTransport (HTTP/3) listener binds. */
    locator: Locator;
    /** TLS certificate (PEM). */
    cert: string;
    /** Its private key (PEM). */
    key: string;
  };
  /** WebSocket tunnel listener (`Deno.serve`). */
  ws?: Locator;
  /** One structured record per event (JSON logs; rate-limited). */
  log?: (rec: Record<string, unknown>) => void;
  /** Wall clock in ms (default `Date.now`). */
  clock?: () => number;
  /** Most tunnels (WebSocket + WebTransport) at once; more are refused (issue 9 item 5). */
  maxTunnels?: number;
  /** A WebSocket with more than this queued gets no more frames (a client that does not read). */
  maxBufferedBytes?: number;
}

/** One tunnel (WebTransport session or WebSocket) as the FA core sees it: an id. */
interface TunnelPeer {
  remote: Locator;
  send(frame: Uint8Array): void;
  close(): void;
}

/** The Forwarding Agent on Deno: UDP sockets, WebTransport and WebSocket tunnels, an in-memory lease index. */
export class DenoFaServer {
  /** The sans-I/O agent. */
  readonly fa: ForwardingAgent;
  /** The bound UDP locators. */
  readonly udp: Locator[];
  /** The WebTransport listener's locator, if listening. */
  wtLocator: Locator | undefined;
  /** The WebSocket listener's locator, if listening. */
  wsLocator: Locator | undefined;
  private readonly tunnels = new Map<number, TunnelPeer>();
  private nextTunnel = 1;
  private quic: QuicEndpoint | undefined;
  private listener: QuicListener | undefined;
  private http: HttpServer | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly clock: () => number;
  private readonly log: (rec: Record<string, unknown>) => void;
  private readonly limiter: LogLimiter;
  private readonly maxTunnels: number;
  private readonly maxBuffered: number;
  /** Tunnels refused at the cap, frames not sent for backpressure, errors caught. */
  readonly counts = {
    /** Tunnels refused at `maxTunnels`. */
    tunnelsRefused: 0,
    /** Frames not sent to a WebSocket over `maxBufferedBytes`. */
    backpressureDrops: 0,
    /** Errors caught in the handlers. */
    serverErrors: 0,
    /** WebSocket text frames received and dropped (tunnel frames are binary). */
    textFrames: 0,
  };
  /** With `leaseStore`: runs the agent's store jobs and feeds other writers' changes back. */
  private driver: StoreDriver | undefined;

  private readonly leaseStore: LeaseStore | undefined;

  private constructor(
    private readonly socks: DenoUdpSocket[],
    o: DenoFaOptions,
  ) {
    this.leaseStore = o.leaseStore;
    this.clock = o.clock ?? Date.now;
    const log = o.log ?? (() => {});
    this.limiter = new LogLimiter(log, this.clock, 10_000, (k) => (k === "refused" || k === "challenged" ? 10 : k.endsWith("error") ? 1 : 1000));
    this.log = ({ kind, ...rec }) => this.limiter.emit(String(kind ?? rec.msg), rec);
    this.maxTunnels = o.maxTunnels ?? 1024;
    this.maxBuffered = o.maxBufferedBytes ?? 1 << 20;
    this.udp = socks.map((s) => s.local);
    const config = faConfig({ ...o.config, control: this.udp, shared4: this.udp.filter((l) => !l.ip.includes(":")) });
    this.fa = new ForwardingAgent({ identity: o.identity, config, store: o.store ?? new MemoryLeaseStore(), rng: cryptoRng, durable: o.leaseStore !== undefined });
    socks.forEach((s, i) => {
      s.onDatagram((data, from) =>
        this.guarded(() => {
          const d = this.fa.handleDatagram(this.clock(), i, from.ip, from.port, data);
          if (d) this.emit(d);
          this.after();
        }),
      );
    });
  }

  /** Bind the sockets and listeners and start the agent. */
  static async start(o: DenoFaOptions): Promise<DenoFaServer> {
    // A durable store's leases are loaded before any socket can deliver (a restart loses nothing).
    const stored = o.leaseStore ? await o.leaseStore.load((o.clock ?? Date.now)()) : undefined;
    const s = new DenoFaServer(
      o.udp.map((l) => bindDenoUdp(l.ip, l.port)),
      o,
    );
    if (o.leaseStore) {
      s.fa.loadLeases(s.clock(), stored ?? []);
      s.driver = new StoreDriver(s.fa, o.leaseStore, s.clock, () => s.after(), (kind, rec) => s.log({ kind, ...rec }));
    }
    if (o.wt) s.listenWt(o.wt.locator, o.wt.cert, o.wt.key);
    if (o.ws) await s.listenWs(o.ws);
    s.fa.handleTimeout(s.clock());
    if (o.leaseStore) s.fa.announceRestart(s.clock()); // holders of restored leases: "we are back"
    s.after();
    return s;
  }

  /** With a `leaseStore`: jobs run and failed, store outages (as the Node FA's stats().store). */
  get storeStats(): StoreDriver["stats"] | undefined {
    return this.driver ? { ...this.driver.stats } : undefined;
  }

  /** Close every tunnel, listener and socket. */
  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    for (const t of this.tunnels.values()) t.close();
    this.listener?.stop();
    this.quic?.close();
    await this.http?.shutdown();
    await Promise.all(this.socks.map((s) => s.close()));
    this.fa.store.close();
    await this.leaseStore?.close();
  }

  // ---- tunnels ------------------------------------------------------------------------------

  private open(peer: TunnelPeer): number {
    const id = this.nextTunnel++;
    this.tunnels.set(id, peer);
    this.log({ level: "info", msg: "tunnel open", tunnel: id, remote: peer.remote });
    return id;
  }

  private frame(id: number, data: Uint8Array): void {
    const t = this.tunnels.get(id);
    if (!t) return;
    this.guarded(() => {
      const d = this.fa.handleTunnel(this.clock(), id, t.remote, data);
      if (d) this.emit(d);
      this.after();
    });
  }

  /** Catch-and-count boundary (issue 9 item 2): nothing a peer sends ends the process. */
  private guarded(f: () => void): void {
    try {
      f();
    } catch (e) {
      this.counts.serverErrors++;
      this.log({ level: "error", msg: "fa server error", kind: "server-error", error: String(e) });
    }
  }

  private gone(id: number): void {
    if (!this.tunnels.delete(id)) return;
    this.fa.tunnelClosed(id);
    this.log({ level: "info", msg: "tunnel closed", tunnel: id });
  }

  private listenWt(at: Locator, cert: string, key: string): void {
    this.quic = new (deno().QuicEndpoint)({ hostname: at.ip, port: at.port });
    this.listener = this.quic.listen({ cert, key, alpnProtocols: ["h3"] });
    this.wtLocator = { ip: this.quic.addr.hostname, port: this.quic.addr.port };
    void (async () => {
      for await (const incoming of this.listener!) {
        incoming.accept().then(
          (conn) => this.wtSession(conn),
          (e) => this.log({ level: "warn", msg: "quic accept failed", error: String(e) }),
        );
      }
    })().catch(() => {});
  }

  /** One WebTransport session = one tunnel: datagrams both ways, records on client streams. */
  private async wtSession(conn: QuicConn): Promise<void> {
    let wt: WebTransport;
    try {
      wt = await deno().upgradeWebTransport(conn);
      await wt.ready;
    } catch (e) {
      this.log({ level: "warn", msg: "webtransport upgrade failed", error: String(e) });
      return;
    }
    const dgram = wt.datagrams.writable.getWriter();
    const limit = wt.datagrams.maxDatagramSize ?? conn.maxDatagramSize - 8;
    let stream: WritableStreamDefaultWriter<Uint8Array> | undefined;
    if (this.tunnels.size >= this.maxTunnels) {
      this.counts.tunnelsRefused++;
      wt.close();
      return;
    }
    const id = this.open({
      remote: { ip: conn.remoteAddr.hostname, port: conn.remoteAddr.port },
      send: (f) => {
        if (f.length <= limit) dgram.write(f).catch(() => {});
        else stream?.write(record(f)).catch(() => {});
      },
      close: () => wt.close(),
    });
    // The session ends with wt.closed, or with the QUIC connection under it.
    const gone = () => this.gone(id);
    wt.closed.then(gone, gone);
    conn.closed.then(gone, gone);
    void (async () => {
      const r = wt.datagrams.readable.getReader();
      for (;;) {
        const { value, done } = await r.read();
        if (done) return gone();
        this.frame(id, value);
      }
    })().catch(() => {});
    void (async () => {
      const streams = wt.incomingBidirectionalStreams.getReader();
      for (;;) {
        const { value: bidi, done } = await streams.read();
        if (done) return;
        stream ??= bidi.writable.getWriter();
        const records = new RecordReader((f) => this.frame(id, f));
        void (async () => {
          const r = (bidi.readable as ReadableStream<Uint8Array>).getReader();
          for (;;) {
            const { value, done } = await r.read();
            if (done) return;
            records.push(value);
          }
        })().catch(() => {});
      }
    })().catch(() => {});
  }

  private listenWs(at: Locator): Promise<void> {
    return new Promise((resolve) => {
      const onListen = (a: NetAddr) => {
        this.wsLocator = { ip: a.hostname, port: a.port };
        resolve();
      };
      this.http = deno().serve({ hostname: at.ip, port: at.port, onListen }, (req, info) => {
        if (req.headers.get("upgrade")?.toLowerCase() !== "websocket") return new Response("hipmm FA: WebSocket tunnel endpoint\n", { status: 426 });
        if (this.tunnels.size >= this.maxTunnels) {
          this.counts.tunnelsRefused++;
          return new Response("hipmm FA: too many tunnels\n", { status: 503 });
        }
        const remote = { ip: info.remoteAddr.hostname, port: info.remoteAddr.port }; // gone after the upgrade
        const { socket, response } = deno().upgradeWebSocket(req);
        socket.binaryType = "arraybuffer";
        socket.addEventListener("open", () => {
          const id = this.open({
            remote,
            send: (f) => {
              if (socket.readyState !== 1) return;
              if (socket.bufferedAmount > this.maxBuffered) this.counts.backpressureDrops++;
              else socket.send(f);
            },
            close: () => socket.close(),
          });
          socket.addEventListener("message", (ev) => {
            if (ev.data instanceof ArrayBuffer) this.frame(id, new Uint8Array(ev.data));
            else this.counts.textFrames++; // dropped, counted (every drop is)
          });
          socket.addEventListener("close", () => this.gone(id));
        });
        return response;
      });
    });
  }

  // ---- output -------------------------------------------------------------------------------

  private emit(d: FaSend): void {
    if (d.tunnel >= 0) this.tunnels.get(d.tunnel)?.send(d.data);
    else this.socks[d.local]?.send({ to: d.to, data: d.data });
  }

  /** Drain control answers and events, re-arm the expiry timer (as server.ts does). */
  private after(): void {
    this.driver?.pump();
    for (let t = this.fa.pollTransmit(); t; t = this.fa.pollTransmit()) this.emit(t);
    for (let e = this.fa.pollEvent(); e; e = this.fa.pollEvent()) this.log({ level: e.type === "refused" ? "warn" : "info", msg: `lease ${e.type}`, kind: e.type, ...withHitText(e) });
    const at = this.fa.pollTimeout();
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (at !== undefined) {
      this.timer = setTimeout(
        () =>
          this.guarded(() => {
            this.fa.handleTimeout(this.clock());
            this.after();
          }),
        Math.max(0, Math.min(at - this.clock(), 2 ** 31 - 1)),
      );
    }
  }
}
