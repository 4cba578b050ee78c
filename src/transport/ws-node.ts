// WebSocket tunnel, server side (Node, `ws`): each binary message is one tunnel frame
// (src/wire/tunnel.ts, PROFILE §3); connections get small integer ids for the FA core.
// Bounded (issue 9 item 5): a connection cap on the TCP listener (pre-upgrade sockets count),
// a header timeout, idle timeouts (short until the tunnel holds a lease), per-connection
// send backpressure (`bufferedAmount`: frames are dropped above the limit and a client that
// stays above it — one that never reads — is closed), and rate-limited WebSocket pings
// (autoPong off: a client that pings but never reads cannot grow our buffers).
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { Socket } from "node:net";
import type { WebSocket, WebSocketServer } from "ws";
import { importOptional } from "../core/optional-node.ts";
import type { Locator } from "../core/types.ts";

export interface WsTunnelHandlers {
  message(id: number, remote: Locator, data: Uint8Array): void;
  close(id: number): void;
  /** Does tunnel `id` hold a lease (longer idle timeout)? */
  bound?(id: number): boolean;
}

/** Limits of the WebSocket tunnel listener (defaults `WS_DEFAULTS`). */
export interface WsLimits {
  /** Most TCP connections (upgraded or not); more are closed at once. */
  maxConnections: number;
  /** Close a tunnel without a lease after this long without a message. */
  idleMs: number;
  /** Close a tunnel that holds a lease after this long without a message. */
  boundIdleMs: number;
  /** Above this many bytes queued for one client, frames to it are dropped... */
  maxBufferedBytes: number;
  /** ...and if it stays above for this long (it does not read), it is closed. */
  stallMs: number;
  /** WebSocket pings answered per connection per second (burst twice that). */
  pingPerSecond: number;
  /** Time to send the HTTP upgrade request. */
  headersTimeoutMs: number;
}

export const WS_DEFAULTS: WsLimits = {
  maxConnections: 1024,
  idleMs: 30_000,
  boundIdleMs: 3_900_000,
  maxBufferedBytes: 1 << 20,
  stallMs: 10_000,
  pingPerSecond: 4,
  headersTimeoutMs: 10_000,
};

/** Counters of the WebSocket listener (all drops by reason). */
export interface WsStats {
  /** Connections open. */
  open: number;
  /** WebSocket upgrades accepted. */
  accepted: number;
  /** TCP connections refused at the connection cap. */
  refusedCap: number;
  /** Tunnels closed for idleness. */
  closedIdle: number;
  /** Tunnels closed because the client stopped reading. */
  closedStalled: number;
  /** Frames dropped for backpressure. */
  backpressureDrops: number;
  /** WebSocket pings received, and those not answered (rate or backpressure). */
  pings: number;
  /** Pings not answered. */
  pingDrops: number;
  /** Text frames received and dropped (tunnel frames are binary, docs/PROTOCOL.md §4). */
  textFrames: number;
  /** Bytes queued to clients now. */
  buffered: number;
}

interface Conn {
  ws: WebSocket;
  seen: number;
  overSince: number;
  pingTokens: number;
  pingAt: number;
}

/** The Forwarding Agent's WebSocket tunnel listener (Node, `ws`): one tunnel per connection, bounded (connection cap, idle and stall timeouts, ping rate). */
export class WsTunnelServer {
  private readonly conns = new Map<number, Conn>();
  private nextId = 1;
  private readonly counts = { accepted: 0, refusedCap: 0, closedIdle: 0, closedStalled: 0, backpressureDrops: 0, pings: 0, pingDrops: 0, textFrames: 0 };
  private sweeper: ReturnType<typeof setInterval> | undefined;

  private constructor(
    private readonly http: Server,
    private readonly wss: WebSocketServer,
    /** Where it listens. */
    readonly locator: Locator,
    private readonly limits: WsLimits,
    private readonly h: WsTunnelHandlers,
  ) {}

  /** Listen on `at` (port 0: any); `h` receives frames and closes. */
  static async listen(at: Locator, h: WsTunnelHandlers, opts: Partial<WsLimits> = {}): Promise<WsTunnelServer> {
    const limits = { ...WS_DEFAULTS, ...opts };
    // `ws` is an optional peer dependency: loaded only when a WebSocket listener is asked for.
    const { WebSocketServer } = await importOptional<typeof import("ws")>("ws", "the WebSocket tunnel listener (hipmm fa --ws)");
    return new Promise((resolve, reject) => {
      const http = createServer({ connectionsCheckingInterval: Math.max(50, Math.min(1000, limits.headersTimeoutMs / 2)) }, (_req, res) => res.writeHead(426).end());
      http.maxConnections = limits.maxConnections;
      http.headersTimeout = limits.headersTimeoutMs;
      http.requestTimeout = limits.headersTimeoutMs;
      http.once("error", reject);
      http.listen(at.port, at.ip, () => {
        http.off("error", reject);
        // Attached after listening: its error relay would turn a listen error into a throw.
        const wss = new WebSocketServer({ server: http, maxPayload: 65_536, autoPong: false });
        wss.on("error", () => {});
        const a = http.address() as { address: string; port: number };
        const s = new WsTunnelServer(http, wss, { ip: a.address, port: a.port }, limits, h);
        http.on("drop", () => s.counts.refusedCap++);
        http.on("clientError", (_e, sock: Socket) => sock.destroy());
        wss.on("connection", (ws: WebSocket, req: IncomingMessage) => s.accept(ws, req));
        const every = Math.max(20, Math.min(limits.idleMs, limits.stallMs, 1000) / 2);
        s.sweeper = setInterval(() => s.sweep(Date.now()), every);
        s.sweeper.unref();
        resolve(s);
      });
    });
  }

  /** Counters. */
  get stats(): WsStats {
    let buffered = 0;
    for (const c of this.conns.values()) buffered += c.ws.bufferedAmount;
    return { open: this.conns.size, ...this.counts, buffered };
  }

  /** Send a frame to connection `id`; false when gone or over the buffer limit. */
  send(id: number, data: Uint8Array): boolean {
    const c = this.conns.get(id);
    if (!c || c.ws.readyState !== c.ws.OPEN) return false;
    if (c.ws.bufferedAmount > this.limits.maxBufferedBytes) {
      this.counts.backpressureDrops++;
      if (c.overSince === 0) c.overSince = Date.now();
      return false;
    }
    c.overSince = 0;
    c.ws.send(data, { binary: true });
    return true;
  }

  /** Close every connection and the listener. */
  close(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
    for (const c of this.conns.values()) c.ws.terminate();
    return new Promise((r) => {
      this.wss.close(() => this.http.close(() => r()));
      this.http.closeAllConnections();
    });
  }

  private accept(ws: WebSocket, req: IncomingMessage): void {
    const id = this.nextId++;
    const remote = { ip: req.socket.remoteAddress ?? "::", port: req.socket.remotePort ?? 0 };
    const now = Date.now();
    const c: Conn = { ws, seen: now, overSince: 0, pingTokens: 2 * this.limits.pingPerSecond, pingAt: now };
    this.conns.set(id, c);
    this.counts.accepted++;
    ws.binaryType = "nodebuffer";
    ws.on("message", (data: Buffer, isBinary: boolean) => {
      c.seen = Date.now();
      if (isBinary) this.h.message(id, remote, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      else this.counts.textFrames++; // dropped, counted (every drop is)
    });
    ws.on("ping", (data: Buffer) => {
      const t = Date.now();
      c.seen = t;
      this.counts.pings++;
      const rate = this.limits.pingPerSecond;
      c.pingTokens = Math.min(2 * rate, c.pingTokens + ((t - c.pingAt) / 1000) * rate);
      c.pingAt = t;
      if (c.pingTokens < 1 || ws.bufferedAmount > this.limits.maxBufferedBytes) {
        this.counts.pingDrops++;
        return;
      }
      c.pingTokens--;
      ws.pong(data);
    });
    ws.on("close", () => {
      this.conns.delete(id);
      this.h.close(id);
    });
    ws.on("error", () => ws.terminate());
  }

  /** Idle and stalled connections are closed (terminate: a stalled client would never take
   *  a close frame). */
  private sweep(now: number): void {
    for (const [id, c] of this.conns) {
      const idle = this.h.bound?.(id) ? this.limits.boundIdleMs : this.limits.idleMs;
      if (now - c.seen > idle) {
        this.counts.closedIdle++;
        c.ws.terminate();
      } else if (c.ws.bufferedAmount > this.limits.maxBufferedBytes) {
        if (c.overSince === 0) c.overSince = now;
        else if (now - c.overSince > this.limits.stallMs) {
          this.counts.closedStalled++;
          c.ws.terminate();
        }
      } else c.overSince = 0;
    }
  }
}
