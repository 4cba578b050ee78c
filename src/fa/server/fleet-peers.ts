// Fleet node liveness (docs/PROTOCOL.md §13.1). Each node keeps one UDP socket *connected* to
// every other node's node-to-node locator and sends on it an authenticated heartbeat every
// `heartbeatMs`; passed packets use the same socket. A peer is down when
//   - the kernel reports ECONNREFUSED on that socket (ICMP port unreachable: the process is
//     gone but its machine answers — the usual crash, noticed within one heartbeat or the next
//     passed packet, whichever is first), or
//   - no valid heartbeat came from it for `deadAfter` heartbeat intervals while our own timer ran
//     on time (a stalled event loop here is no evidence against the peer), or
//   - the registry (Redis) no longer lists it alive.
// It is up again on its next valid heartbeat (HMAC under the fleet key, sent-at newer than the
// last one seen: a replay cannot keep a dead node alive). A heartbeat names the sender's
// node-to-node locator, so a restarted node is known at its new port at once. Frame:
//   "HFH1" | sent-at ms (u64) | name length (u8) | name | locator (16 + 2) | HMAC-SHA256 (32)
import { createHmac } from "node:crypto";
import { createSocket, type Socket } from "node:dgram";
import { bytesToIp, ipToBytes } from "../../core/addr.ts";
import { isUnspecified, type Locator } from "../../core/types.ts";

export const HEARTBEAT_MAGIC = [0x48, 0x46, 0x48, 0x31]; // "HFH1"
/** Most peers tracked (the registry is written by the fleet; a bound all the same). */
export const MAX_PEERS = 64;

export interface LivenessOptions {
  /** Heartbeat interval to every other node (ms). Default 20. */
  heartbeatMs?: number;
  /** Missed heartbeat intervals after which a silent node is down. Default 4. */
  deadAfter?: number;
}

export const LIVENESS_DEFAULTS: Required<LivenessOptions> = { heartbeatMs: 20, deadAfter: 4 };

export interface Peer {
  name: string;
  loc: Locator;
  /** Connected to `loc` (ICMP errors reach it); undefined until the connect completed. */
  sock: Socket | undefined;
  lastHeard: number;
  lastSent: number;
  down: boolean;
}

export type PeerReport = (name: string, down: boolean, reason: string) => void;

export class FleetPeers {
  readonly peers = new Map<string, Peer>();
  readonly counters = { heartbeatsSent: 0, heartbeatsReceived: 0, nodeDeaths: 0, nodeRevivals: 0, refused: 0 };
  private lastTick = Number.NEGATIVE_INFINITY;
  private readonly o: Required<LivenessOptions>;

  /** Our node-to-node locator (named in our heartbeats). */
  listen: Locator = { ip: "::", port: 0 };

  constructor(
    private readonly self: string,
    private readonly key: Uint8Array,
    o: LivenessOptions,
    private readonly clock: () => number,
    private readonly report: PeerReport,
  ) {
    this.o = { heartbeatMs: o.heartbeatMs ?? LIVENESS_DEFAULTS.heartbeatMs, deadAfter: o.deadAfter ?? LIVENESS_DEFAULTS.deadAfter };
    if (!(this.o.heartbeatMs >= 1) || !(this.o.deadAfter >= 1)) throw new RangeError("fleet liveness: heartbeatMs and deadAfter must be at least 1");
  }

  get heartbeatMs(): number {
    return this.o.heartbeatMs;
  }

  get alive(): number {
    let n = 0;
    for (const p of this.peers.values()) if (!p.down) n++;
    return n;
  }

  /** The registry's view: add new nodes, follow moved ones, mark unlisted/expired ones down. */
  update(list: readonly { name: string; fleet: Locator; alive: boolean }[]): void {
    // A node heard lately is where its (authenticated) heartbeats say: the registry may lag.
    const now = this.clock();
    const silent = (p: Peer) => now - p.lastHeard > this.o.heartbeatMs * this.o.deadAfter;
    for (const n of list) {
      if (n.name === this.self) continue;
      const p = this.peers.get(n.name);
      if (!p) {
        if (n.alive) this.place(n.name, n.fleet);
      } else if (p.loc.ip !== n.fleet.ip || p.loc.port !== n.fleet.port) {
        if (n.alive && silent(p)) this.place(n.name, n.fleet);
      } else if (!n.alive && silent(p)) this.mark(p, true, "registry");
    }
  }

  /** Node `name` is at `loc` (new, or restarted elsewhere: a fresh connected socket). */
  private place(name: string, loc: Locator): Peer | undefined {
    const old = this.peers.get(name);
    if (old) {
      old.sock?.close();
      this.peers.delete(name);
    } else if (this.peers.size >= MAX_PEERS && !this.evict()) return undefined;
    const p: Peer = { name, loc, sock: undefined, lastHeard: this.clock(), lastSent: old?.lastSent ?? 0, down: old?.down ?? false };
    this.peers.set(name, p);
    this.connect(p);
    return p;
  }

  /** Full: forget the node down the longest (renamed or retired nodes), if any is down. */
  private evict(): boolean {
    let worst: Peer | undefined;
    for (const p of this.peers.values()) if (p.down && (!worst || p.lastHeard < worst.lastHeard)) worst = p;
    if (!worst) return false;
    worst.sock?.close();
    this.peers.delete(worst.name);
    return true;
  }

  private connect(p: Peer): void {
    const sock = createSocket({ type: p.loc.ip.includes(":") ? "udp6" : "udp4" });
    sock.on("error", (e: NodeJS.ErrnoException) => this.failed(p, sock, e));
    sock.on("message", () => {}); // nothing comes back on it; drained so errors surface
    sock.connect(p.loc.port, p.loc.ip, () => {
      if (this.peers.get(p.name) === p) p.sock = sock;
      else sock.close();
    });
  }

  private failed(p: Peer, sock: Socket, e: NodeJS.ErrnoException | null | undefined): void {
    if (!e || p.sock !== sock) return;
    if (e.code === "ECONNREFUSED") {
      this.counters.refused++;
      this.mark(p, true, "refused");
    }
  }

  /** Send `buf` to `p` on its connected socket (its errors mark it down). */
  send(p: Peer, buf: Uint8Array, fallback: Socket): void {
    const s = p.sock;
    if (s) s.send(buf, (e) => this.failed(p, s, e));
    else fallback.send(buf, p.loc.port, p.loc.ip, () => {});
  }

  /** Every heartbeatMs: heartbeats out, silent peers down. */
  tick(fallback: Socket): void {
    const now = this.clock();
    const onTime = now - this.lastTick <= 2 * this.o.heartbeatMs;
    this.lastTick = now;
    const frame = this.heartbeat(now);
    for (const p of this.peers.values()) {
      this.send(p, frame, fallback);
      this.counters.heartbeatsSent++;
      if (!p.down && onTime && now - p.lastHeard > this.o.heartbeatMs * this.o.deadAfter) this.mark(p, true, "silent");
      if (!onTime && !p.down) p.lastHeard = Math.max(p.lastHeard, now - this.o.heartbeatMs); // we stalled, not they
    }
  }

  private heartbeat(now: number): Buffer {
    const name = Buffer.from(this.self);
    const end = 13 + name.length + 18;
    const buf = Buffer.allocUnsafe(end + 32);
    buf.set(HEARTBEAT_MAGIC, 0);
    buf.writeBigUInt64BE(BigInt(Math.floor(now)), 4);
    buf[12] = name.length;
    buf.set(name, 13);
    buf.set(ipToBytes(this.listen.ip) ?? new Uint8Array(16), 13 + name.length);
    buf.writeUInt16BE(this.listen.port, end - 2);
    createHmac("sha256", this.key).update(buf.subarray(0, end)).digest().copy(buf, end);
    return buf;
  }

  /** A heartbeat whose MAC and time the link checked (`body`: name | locator; `src`: the
   *  datagram's source address): that node is alive, at that locator. An older or repeated
   *  sent-at is ignored (replay). */
  heard(body: Uint8Array, sentAt: number, src = ""): boolean {
    if (body.length < 1 + 18 || body.length !== 1 + body[0] + 18) return false;
    const name = Buffer.from(body.subarray(1, 1 + body[0])).toString("utf8");
    const at = { ip: bytesToIp(body.subarray(1 + body[0], 17 + body[0])), port: (body[17 + body[0]] << 8) | body[18 + body[0]] };
    if (isUnspecified(at.ip) && src) at.ip = src; // bound to a wildcard: where it sends from
    if (name === this.self) return false;
    let p = this.peers.get(name);
    if (p && sentAt <= p.lastSent) return false;
    if (!p || p.loc.ip !== at.ip || p.loc.port !== at.port) p = this.place(name, at);
    if (!p) return false;
    p.lastSent = sentAt;
    p.lastHeard = this.clock();
    this.counters.heartbeatsReceived++;
    if (p.down) this.mark(p, false, "heartbeat");
    return true;
  }

  private mark(p: Peer, down: boolean, reason: string): void {
    if (p.down === down) return;
    p.down = down;
    if (down) this.counters.nodeDeaths++;
    else this.counters.nodeRevivals++;
    this.report(p.name, down, reason);
  }

  close(): void {
    for (const p of this.peers.values()) p.sock?.close();
    this.peers.clear();
  }
}
