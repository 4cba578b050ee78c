// WebSocket tunnel, client side, on the standard WebSocket API only (browsers, Workers, Deno,
// Node ≥ 22 global; pass a constructor elsewhere). Sends/receives tunnel frames (PROFILE §3):
// compact DATAGRAM frames carry datagrams for the FA itself (FAQ), full frames relay traffic
// from/to the leased locator (docs/PROTOCOL.md §11).
import type { Locator } from "../core/types.ts";
import { emitTunnelFrame, parseTunnelFrame, TunnelFrameType } from "../wire/tunnel.ts";

type WsCtor = new (url: string) => WebSocket;

export interface TunnelDatagram {
  data: Uint8Array;
  /** Outer locators from a full frame; absent for compact frames (from the FA itself). */
  from?: Locator;
  to?: Locator;
}

/** The client side of the FA's WebSocket tunnel, frame by frame (tools and tests; hosts use `WsTunnel`). */
export class WsTunnelClient {
  /** Called with each DATAGRAM frame from the FA. */
  onDatagram: (d: TunnelDatagram) => void = () => {};
  /** Messages from the FA that were no DATAGRAM frame (text, bad frame, PONG), dropped. */
  dropped = 0;
  /** Called when the WebSocket closes. */
  onClose: () => void = () => {};

  private constructor(private readonly ws: WebSocket) {
    ws.binaryType = "arraybuffer";
    ws.addEventListener("message", (ev: MessageEvent) => {
      const f = ev.data instanceof ArrayBuffer ? parseTunnelFrame(new Uint8Array(ev.data)) : undefined;
      if (!f?.ok || f.value.type !== TunnelFrameType.DATAGRAM) {
        this.dropped++;
        return;
      }
      this.onDatagram(f.value.src ? { data: f.value.payload, from: f.value.src, to: f.value.dst } : { data: f.value.payload });
    });
    ws.addEventListener("close", () => this.onClose());
  }

  /** Open a WebSocket to `url` (with `ctor`, default the global WebSocket). */
  static connect(url: string, ctor: WsCtor = (globalThis as { WebSocket?: WsCtor }).WebSocket as WsCtor): Promise<WsTunnelClient> {
    if (!ctor) return Promise.reject(new Error("no WebSocket implementation available"));
    const ws = new ctor(url);
    return new Promise((resolve, reject) => {
      ws.addEventListener("open", () => resolve(new WsTunnelClient(ws)), { once: true });
      ws.addEventListener("error", () => reject(new Error(`WebSocket to ${url} failed`)), { once: true });
    });
  }

  /** A datagram for the FA itself (FAQ): compact frame. */
  sendToFa(datagram: Uint8Array): void {
    this.ws.send(emitTunnelFrame({ type: TunnelFrameType.DATAGRAM, payload: datagram }));
  }

  /** A datagram leaving from our leased locator `from` towards `to`. */
  sendVia(from: Locator, to: Locator, datagram: Uint8Array): void {
    this.ws.send(emitTunnelFrame({ type: TunnelFrameType.DATAGRAM, src: from, dst: to, payload: datagram }));
  }

  /** Close the WebSocket. */
  close(): void {
    this.ws.close();
  }
}
