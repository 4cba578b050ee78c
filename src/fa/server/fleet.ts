// Node-to-node forwarding in an FA fleet (docs/PROTOCOL.md §13). A packet that reaches a node
// for a host another node holds (its tunnel, or the NAT binding its relay frames came through)
// is passed to that node over UDP, authenticated with HMAC-SHA256 under the fleet key:
//   "HFL1" | sent-at ms (u64) | name length (u8) | sender name | arrival locator (16 + 2) |
//   source locator (16 + 2) | packet | HMAC (32)
// The receiver checks the MAC and that sent-at is within ±MAX_SKEW_MS, then hands the packet to
// its agent (handleFleet), which delivers it only when it holds the host (never passes it on).
// A replay inside the window only duplicates a packet the host's ESP/HIP replay checks drop.
// Node addresses come from the store's registry (entries with a TTL); node liveness from
// authenticated UDP heartbeats and ICMP errors on connected sockets (fleet-peers.ts, §13.1).
import { createHmac, timingSafeEqual } from "node:crypto";
import { createSocket, type Socket } from "node:dgram";
import { bytesToIp } from "../../core/addr.ts";
import type { Locator } from "../../core/types.ts";
import { AddrCache } from "../core/relay.ts";
import { FleetPeers, HEARTBEAT_MAGIC, type LivenessOptions } from "./fleet-peers.ts";

const MAGIC = [0x48, 0x46, 0x4c, 0x31]; // "HFL1"
const MAC = 32;
export const MAX_SKEW_MS = 5000;

export interface FleetRegistry {
  heartbeat(name: string, fleet: Locator, ttlMs: number): Promise<void>;
  nodes(): Promise<{ name: string; fleet: Locator; alive: boolean }[]>;
}

export interface FleetOptions {
  /** This node's name (unique in the fleet). */
  node: string;
  /** Shared secret of the fleet (at least 32 bytes; a file mode 0600). */
  key: Uint8Array;
  /** Node-to-node UDP locator (port 0: any; the registry publishes the real one). */
  listen: Locator;
  /** Locators every node binds (SO_REUSEADDR on one machine, a moving VIP across machines). */
  shared?: Locator[];
  /** Node liveness (fleet-peers.ts): heartbeat interval (default 20 ms) and missed intervals
   *  before a silent node is down (default 4). */
  liveness?: LivenessOptions;
  /** Registry refresh in Redis (ms, default 500); an entry lives 4 refreshes. */
  registryMs?: number;
}

export interface FleetStats {
  node: string;
  sent: number;
  received: number;
  badMac: number;
  stale: number;
  unknownNode: number;
  nodeDown: number;
  nodesAlive: number;
  registryErrors: number;
  heartbeatsSent: number;
  heartbeatsReceived: number;
  /** Nodes declared down (ICMP refused, silent, or expired in the registry) and up again. */
  nodeDeaths: number;
  nodeRevivals: number;
  refused: number;
}

/** A node went down or came back (the server tells its agent: holders are taken over). */
export type NodeReport = (name: string, down: boolean, reason: string) => void;

export class FleetLink {
  readonly stats: FleetStats;
  private readonly peers: FleetPeers;
  private timer: ReturnType<typeof setInterval> | undefined;
  private beat: ReturnType<typeof setInterval> | undefined;
  private readonly name: Uint8Array;
  private readonly addrs = new AddrCache();

  private constructor(
    private readonly o: FleetOptions,
    private readonly sock: Socket,
    private readonly registry: FleetRegistry,
    private readonly clock: () => number,
    private readonly deliver: (at: Locator, from: Locator, data: Uint8Array) => void,
    report: NodeReport,
  ) {
    this.name = new TextEncoder().encode(o.node);
    this.peers = new FleetPeers(o.node, o.key, o.liveness ?? {}, clock, report);
    this.stats = { node: o.node, sent: 0, received: 0, badMac: 0, stale: 0, unknownNode: 0, nodeDown: 0, nodesAlive: 0, registryErrors: 0, heartbeatsSent: 0, heartbeatsReceived: 0, nodeDeaths: 0, nodeRevivals: 0, refused: 0 };
  }

  static async open(o: FleetOptions, registry: FleetRegistry, clock: () => number, deliver: (at: Locator, from: Locator, data: Uint8Array) => void, report: NodeReport = () => {}): Promise<FleetLink> {
    if (o.key.length < 32) throw new RangeError("fleet key: at least 32 bytes");
    if (!/^[\w.-]{1,64}$/.test(o.node)) throw new RangeError(`bad node name ${o.node}`);
    const sock = createSocket({ type: o.listen.ip.includes(":") ? "udp6" : "udp4" });
    await new Promise<void>((res, rej) => {
      sock.once("error", rej);
      sock.bind(o.listen.port, o.listen.ip, () => {
        sock.off("error", rej);
        res();
      });
    });
    const f = new FleetLink(o, sock, registry, clock, deliver, report);
    f.peers.listen = f.locator;
    sock.on("message", (m, r) => f.receive(m, r.address));
    sock.on("error", () => {});
    await f.refresh();
    f.timer = setInterval(() => void f.refresh(), o.registryMs ?? 500);
    f.timer.unref();
    f.beat = setInterval(() => f.peers.tick(sock), f.peers.heartbeatMs);
    f.beat.unref();
    f.peers.tick(sock);
    return f;
  }

  get locator(): Locator {
    const a = this.sock.address();
    return { ip: a.address, port: a.port };
  }

  private async refresh(): Promise<void> {
    try {
      await this.registry.heartbeat(this.o.node, this.locator, 4 * (this.o.registryMs ?? 500));
      this.peers.update(await this.registry.nodes());
    } catch {
      this.stats.registryErrors++; // the store is down: keep the last known addresses
    }
  }

  /** Pass `data`, received at our locator `at` from `from`, to node `node`. */
  send(node: string, at: Locator, from: Locator, data: Uint8Array): void {
    const n = this.peers.peers.get(node);
    if (!n) {
      this.stats.unknownNode++;
      return;
    }
    if (n.down) this.stats.nodeDown++; // sent all the same: it may be down in our view only
    const a = this.addrs.get(at.ip);
    const s = this.addrs.get(from.ip);
    if (!a || !s) return;
    const head = 4 + 8 + 1 + this.name.length;
    const buf = Buffer.allocUnsafe(head + 36 + data.length + MAC);
    buf.set(MAGIC, 0);
    buf.writeBigUInt64BE(BigInt(Math.floor(this.clock())), 4);
    buf[12] = this.name.length;
    buf.set(this.name, 13);
    buf.set(a, head);
    buf.writeUInt16BE(at.port, head + 16);
    buf.set(s, head + 18);
    buf.writeUInt16BE(from.port, head + 34);
    buf.set(data, head + 36);
    const end = head + 36 + data.length;
    createHmac("sha256", this.o.key).update(buf.subarray(0, end)).digest().copy(buf, end);
    this.stats.sent++;
    this.peers.send(n, buf, this.sock);
  }

  /** Counters of the link and of node liveness. */
  get counters(): FleetStats {
    return { ...this.stats, ...this.peers.counters, nodesAlive: this.peers.alive + 1 };
  }

  /** A node's heartbeat (fleet-peers.ts): MAC, time window, then liveness. */
  private heartbeat(m: Buffer, src: string): void {
    const end = m.length - MAC;
    if (end < 13 + 18) {
      this.stats.badMac++;
      return;
    }
    const sent = this.authentic(m, end);
    if (sent !== undefined) this.peers.heard(m.subarray(12, end), sent, src);
  }

  /** The MAC over `m[0, end)` checks and its send time is within MAX_SKEW_MS: that time;
   *  else undefined, counted (badMac / stale). */
  private authentic(m: Buffer, end: number): number | undefined {
    if (!timingSafeEqual(createHmac("sha256", this.o.key).update(m.subarray(0, end)).digest(), m.subarray(end))) {
      this.stats.badMac++;
      return undefined;
    }
    const sent = Number(m.readBigUInt64BE(4));
    if (Math.abs(this.clock() - sent) > MAX_SKEW_MS) {
      this.stats.stale++;
      return undefined;
    }
    return sent;
  }

  private receive(m: Buffer, src = ""): void {
    if (m.length >= 13 + 18 + MAC && m[0] === HEARTBEAT_MAGIC[0] && m[1] === HEARTBEAT_MAGIC[1] && m[2] === HEARTBEAT_MAGIC[2] && m[3] === HEARTBEAT_MAGIC[3]) {
      this.heartbeat(m, src);
      return;
    }
    if (m.length < 13 + 36 + 8 + MAC || m[0] !== MAGIC[0] || m[1] !== MAGIC[1] || m[2] !== MAGIC[2] || m[3] !== MAGIC[3]) {
      this.stats.badMac++;
      return;
    }
    const end = m.length - MAC;
    if (this.authentic(m, end) === undefined) return;
    const head = 13 + m[12];
    if (end < head + 36 + 8) return;
    const at = { ip: bytesToIp(m.subarray(head, head + 16)), port: m.readUInt16BE(head + 16) };
    const from = { ip: bytesToIp(m.subarray(head + 18, head + 34)), port: m.readUInt16BE(head + 34) };
    this.stats.received++;
    this.deliver(at, from, new Uint8Array(m.buffer, m.byteOffset + head + 36, end - head - 36));
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.beat) clearInterval(this.beat);
    this.peers.close();
    this.sock.close();
  }
}
