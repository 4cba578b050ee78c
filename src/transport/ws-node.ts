// WebSocket tunnel, server side (Node, `ws`): each binary message is one tunnel frame
// (src/wire/tunnel.ts, PROFILE §3); connections get small integer ids for the FA core.
import type { IncomingMessage } from "node:http";
import { type WebSocket, WebSocketServer } from "ws";
import type { Locator } from "../core/types.ts";

export interface WsTunnelHandlers {
  message(id: number, remote: Locator, data: Uint8Array): void;
  close(id: number): void;
}

export class WsTunnelServer {
  private readonly conns = new Map<number, WebSocket>();
  private nextId = 1;

  private constructor(
    private readonly wss: WebSocketServer,
    readonly locator: Locator,
  ) {}

  static listen(at: Locator, h: WsTunnelHandlers): Promise<WsTunnelServer> {
    return new Promise((resolve, reject) => {
      const wss = new WebSocketServer({ host: at.ip, port: at.port, maxPayload: 65_536 });
      wss.once("error", reject);
      wss.on("listening", () => {
        const a = wss.address() as { address: string; port: number };
        const s = new WsTunnelServer(wss, { ip: a.address, port: a.port });
        wss.on("connection", (ws: WebSocket, req: IncomingMessage) => s.accept(ws, req, h));
        resolve(s);
      });
    });
  }

  send(id: number, data: Uint8Array): boolean {
    const ws = this.conns.get(id);
    if (!ws || ws.readyState !== ws.OPEN) return false;
    ws.send(data, { binary: true });
    return true;
  }

  close(): Promise<void> {
    for (const ws of this.conns.values()) ws.terminate();
    return new Promise((r) => this.wss.close(() => r()));
  }

  private accept(ws: WebSocket, req: IncomingMessage, h: WsTunnelHandlers): void {
    const id = this.nextId++;
    const remote = { ip: req.socket.remoteAddress ?? "::", port: req.socket.remotePort ?? 0 };
    this.conns.set(id, ws);
    ws.binaryType = "nodebuffer";
    ws.on("message", (data: Buffer, isBinary: boolean) => {
      if (isBinary) h.message(id, remote, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    });
    ws.on("close", () => {
      this.conns.delete(id);
      h.close(id);
    });
    ws.on("error", () => ws.terminate());
  }
}
