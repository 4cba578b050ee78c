// Tunnels from hosts that cannot send UDP (browsers, Cloudflare Workers) to their Forwarding
// Agent (docs/PROTOCOL.md §11.x). A Tunnel carries tunnel frames (PROTOCOL §4, PROFILE §3):
// one per WebSocket message here, one per WebTransport datagram in wt-client.ts.
// TunnelSocket makes a tunnel look like a UDP socket to EndpointDriver/HostStack: the host's
// datagrams to the FA leave as compact frames (FAQ) or, when FaClient.wrap made them a relay
// datagram (marker 0x000000FA + full frame), as that full frame; frames from the FA come back
// as what the same FA would have sent over UDP. Standard web APIs only (no node: imports).
import { type Locator, sameLocator, type Transmit } from "../core/types.ts";
import { isRelay, RELAY_MARKER, RELAY_MARKER_LEN } from "../fa/core/relay.ts";
import { emitTunnelFrame, TUNNEL_FLAG_COMPACT, TUNNEL_VERSION, TunnelFrameType } from "../wire/tunnel.ts";
import type { DatagramHandler, DatagramSocket } from "./types.ts";

/** Transport of a tunnel to an FA. */
export type TunnelKind = "websocket" | "webtransport";

/** A tunnel to a Forwarding Agent carrying tunnel frames (docs/PROTOCOL.md §4). */
export interface Tunnel {
  /** Its transport. */
  readonly kind: TunnelKind;
  /** Send one tunnel frame to the FA (dropped, and counted, once closed). */
  send(frame: Uint8Array): void;
  /** One tunnel frame from the FA. */
  onFrame: (frame: Uint8Array) => void;
  /** The tunnel closed (the reason as text). */
  onClose: (reason: string) => void;
  /** True once closed. */
  readonly closed: boolean;
  /** Frames that could not be sent (closed tunnel, transport error). */
  readonly sendErrors: number;
  /** Close; resolves once the transport says it is closed (or after `waitMs`, default 1000). */
  close(waitMs?: number): Promise<void>;
}

/** `p`, or nothing after `ms`: closing handshakes must not hang a shutdown. */
export function bounded(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([p.then(() => {}, () => {}), new Promise<void>((r) => (timer = setTimeout(r, ms)))]).finally(() => clearTimeout(timer));
}

type WsCtor = new (url: string) => WebSocket;
const NO_FRAME = new Uint8Array(0);

/** A tunnel over one WebSocket (binary messages = tunnel frames). */
export class WsTunnel implements Tunnel {
  readonly kind = "websocket";
  onFrame: (frame: Uint8Array) => void = () => {};
  onClose: (reason: string) => void = () => {};
  closed = false;
  sendErrors = 0;

  /** Wrap an open WebSocket (e.g. `response.webSocket` after `accept()` in a Worker). */
  constructor(private readonly ws: WebSocket) {
    ws.binaryType = "arraybuffer";
    ws.addEventListener("message", (ev: MessageEvent) => {
      // A text message is no tunnel frame: handed on empty, so the socket counts it as a bad frame.
      this.onFrame(ev.data instanceof ArrayBuffer ? new Uint8Array(ev.data) : NO_FRAME);
    });
    ws.addEventListener("close", (ev: CloseEvent) => this.closedBy(`websocket closed (${ev.code})`));
    ws.addEventListener("error", () => this.closedBy("websocket error"));
  }

  /** Open `url` (ws:// or wss://) with the standard WebSocket API; `timeoutMs`: give up (and close it) after that long. */
  static connect(url: string, ctor: WsCtor = (globalThis as { WebSocket?: WsCtor }).WebSocket as WsCtor, timeoutMs?: number): Promise<WsTunnel> {
    if (!ctor) return Promise.reject(new Error("no WebSocket implementation available"));
    const ws = new ctor(url);
    let timer: ReturnType<typeof setTimeout> | undefined;
    return new Promise<WsTunnel>((resolve, reject) => {
      ws.addEventListener("open", () => resolve(new WsTunnel(ws)), { once: true });
      ws.addEventListener("error", () => reject(new Error(`WebSocket to ${url} failed`)), { once: true });
      if (timeoutMs !== undefined)
        timer = setTimeout(() => {
          reject(new Error(`WebSocket to ${url}: no answer after ${timeoutMs} ms`));
          try {
            ws.close();
          } catch {
            // still connecting: some implementations throw; the socket is dropped either way
          }
        }, timeoutMs);
    }).finally(() => clearTimeout(timer));
  }

  send(frame: Uint8Array): void {
    if (this.closed || this.ws.readyState !== 1) {
      this.sendErrors++;
      return;
    }
    this.ws.send(frame);
  }

  close(waitMs = 1000): Promise<void> {
    if (this.ws.readyState >= 2) {
      this.closedBy("closed locally");
      return Promise.resolve();
    }
    const gone = new Promise((r) => this.ws.addEventListener("close", r, { once: true }));
    this.closedBy("closed locally");
    this.ws.close();
    return bounded(gone, waitMs);
  }

  private closedBy(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.onClose(reason);
  }
}

/**
 * The tunnel as the host's one datagram socket. `fa` is the FA's UDP locator the host leases
 * from (FaTarget.locator); every datagram goes to it, anything else is unroutable (counted).
 */
export class TunnelSocket implements DatagramSocket {
  readonly local: Locator;
  sendErrors = 0;
  /** Frames from the FA that were not DATAGRAM frames we understand (bad header, unknown type or
   *  flags, a WebSocket text message), dropped: `host.stats()` shows them as `transport.bad-frame`. */
  ignored = 0;
  /** PONG frames (the answers to a reconnecting tunnel's liveness PINGs; nothing to deliver). */
  pongs = 0;
  private handler: DatagramHandler | undefined;

  constructor(
    /** The tunnel. */
    readonly tunnel: Tunnel,
    /** The FA's UDP locator; changes when a reconnecting tunnel moved to another FA. */
    public fa: Locator,
  ) {
    // No address of our own: a placeholder of the FA's family, so SocketSet routes to us.
    this.local = { ip: fa.ip.includes(":") ? "::" : "0.0.0.0", port: 0 };
    tunnel.onFrame = (f) => this.receive(f);
  }

  send(t: Transmit): void {
    if (!sameLocator(t.to, this.fa) || this.tunnel.closed) {
      this.sendErrors++;
      return;
    }
    // Relay datagram from our leased locator → its full frame; else a datagram for the FA itself.
    this.tunnel.send(isRelay(t.data) ? t.data.subarray(RELAY_MARKER_LEN) : emitTunnelFrame({ type: TunnelFrameType.DATAGRAM, payload: t.data }));
  }

  onDatagram(cb: DatagramHandler): void {
    this.handler = cb;
  }

  /** Close the tunnel. */
  close(): Promise<void> {
    return this.tunnel.close();
  }

  get badFrames(): number {
    return this.ignored;
  }

  private receive(f: Uint8Array): void {
    if (f.length >= 4 && f[0] === TUNNEL_VERSION && f[1] === TunnelFrameType.PONG) {
      this.pongs++;
      return;
    }
    if (f.length < 4 || f[0] !== TUNNEL_VERSION || f[1] !== TunnelFrameType.DATAGRAM || f[3] !== 0) {
      this.ignored++;
      return;
    }
    if (f[2] === TUNNEL_FLAG_COMPACT) {
      this.handler?.(f.subarray(4), this.fa, this.local);
      return;
    }
    if (f[2] !== 0) {
      this.ignored++;
      return;
    }
    // A full frame is what the FA sends a UDP host after the relay marker (PROTOCOL §9).
    const d = new Uint8Array(RELAY_MARKER_LEN + f.length);
    d[3] = RELAY_MARKER;
    d.set(f, RELAY_MARKER_LEN);
    this.handler?.(d, this.fa, this.local);
  }
}
