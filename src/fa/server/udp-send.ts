// Forwarding sends without head-of-line blocking (issue 11 item 5; docs/PROTOCOL.md §9.1). Node's
// dgram socket keeps one FIFO per socket in user space once the kernel refuses a datagram
// (EAGAIN: send buffer full, e.g. filled by datagrams waiting for an ARP/ND answer that never
// comes); everything behind waits. Here the kernel's buffer is made as large as allowed, the
// FIFO is bounded in all (`queueMax`, drop `queueDrops`) and per destination (`perDestMax`
// datagrams waiting, drop `backlogDrops`), so one slow destination holds at most its own share.
// Send errors (EAGAIN, EHOSTUNREACH, ENOBUFS, ENETUNREACH…) are counted by code, never thrown,
// and never stop the socket.
import type { Socket } from "node:dgram";

export interface UdpSendStats {
  /** Send errors by code (the datagram is lost, the socket goes on). */
  errors: Record<string, number>;
  /** Dropped: this destination already had `perDestMax` datagrams waiting. */
  backlogDrops: number;
  /** Dropped: the socket's queue held `queueMax` datagrams. */
  queueDrops: number;
  /** Kernel send buffer granted (bytes), per socket, lowest. */
  sndbuf: number;
}

export interface UdpSendLimits {
  perDestMax: number;
  queueMax: number;
  /** Kernel send buffer asked for (capped by net.core.wmem_max). */
  sndbuf: number;
}

export const UDP_SEND_DEFAULTS: UdpSendLimits = { perDestMax: 64, queueMax: 4096, sndbuf: 4 << 20 };

export function newUdpSendStats(): UdpSendStats {
  return { errors: {}, backlogDrops: 0, queueDrops: 0, sndbuf: 0 };
}

export class UdpSender {
  private readonly waiting = new Map<string, number>();
  private readonly done: (e: Error | null) => void;

  constructor(
    readonly sock: Socket,
    private readonly stats: UdpSendStats,
    private readonly limits: UdpSendLimits = UDP_SEND_DEFAULTS,
    onError?: (e: Error) => void,
  ) {
    try {
      sock.setSendBufferSize(limits.sndbuf);
    } catch {
      // above net.core.wmem_max: keep what the kernel gives
    }
    const got = sock.getSendBufferSize();
    stats.sndbuf = stats.sndbuf === 0 ? got : Math.min(stats.sndbuf, got);
    this.done = (e) => {
      if (!e) return;
      const code = (e as { code?: string }).code ?? "error";
      stats.errors[code] = (stats.errors[code] ?? 0) + 1;
      onError?.(e);
    };
  }

  send(data: Uint8Array, port: number, ip: string): void {
    const q = this.sock.getSendQueueCount();
    if (q === 0) {
      this.sock.send(data, port, ip, this.done); // the kernel has room: straight out
      return;
    }
    if (q >= this.limits.queueMax) {
      this.stats.queueDrops++;
      return;
    }
    const k = `${ip}|${port}`;
    const n = this.waiting.get(k) ?? 0;
    if (n >= this.limits.perDestMax) {
      this.stats.backlogDrops++;
      return;
    }
    this.waiting.set(k, n + 1);
    this.sock.send(data, port, ip, (e) => {
      const m = (this.waiting.get(k) ?? 1) - 1;
      if (m > 0) this.waiting.set(k, m);
      else this.waiting.delete(k);
      this.done(e);
    });
  }
}
