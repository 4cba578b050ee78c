// RedisLeaseStore: the lease store shared by a fleet of FA nodes (docs/PROTOCOL.md §13,
// docs/OPERATIONS.md). Allocation, renewal and release are Lua scripts (redis-lua.ts), atomic
// in Redis; every change is published so the other nodes' caches follow within a round trip;
// every write takes the next value of one change counter (the lease's version; caches apply only
// newer ones, docs/PROTOCOL.md §13.2); whenever the change feed is (re)subscribed the store
// reloads everything (LeaseWatcher.reloaded): changes published while it was away are not lost. Commands fail at
// once while Redis is unreachable (no offline queue): the agent answers FAD STORE_FAILED to new
// leases and keeps forwarding the cached ones. ioredis is loaded lazily (an optional dependency).
import { importOptional } from "../../core/optional-node.ts";
import type { Locator, Millis } from "../../core/types.ts";
import { type AddrType, type Lease, SPI_BLOCK_SHIFT } from "../core/lease.ts";
import type { LeaseStore, LeaseWatcher } from "../core/store.ts";
import { CREATE, DROP, RENEW } from "./redis-lua.ts";

// The slice of the ioredis client used here (the package is loaded with a dynamic import).
interface Client {
  status: string;
  on(ev: string, f: (...a: unknown[]) => void): unknown;
  connect(): Promise<void>;
  quit(): Promise<unknown>;
  disconnect(): void;
  duplicate(): Client;
  defineCommand(name: string, def: { lua: string }): void;
  subscribe(ch: string): Promise<unknown>;
  zrangebyscore(k: string, min: number | string, max: number | string): Promise<string[]>;
  zremrangebyscore(k: string, min: number | string, max: number | string): Promise<number>;
  hgetall(k: string): Promise<Record<string, string>>;
  hset(k: string, f: string, v: string): Promise<number>;
  set(k: string, v: string, px: "PX", ms: number): Promise<unknown>;
  get(k: string): Promise<string | null>;
  mget(...k: string[]): Promise<(string | null)[]>;
  pipeline(): { hgetall(k: string): unknown; exec(): Promise<[Error | null, unknown][] | null> };
  [cmd: string]: unknown;
}
type Script = (n: number, ...a: (string | number)[]) => Promise<unknown>;

/** Options of {@link RedisLeaseStore}. */
export interface RedisStoreOptions {
  /** redis://[user:pass@]host:port[/db]; `?prefix=NAME` picks the key prefix (one fleet). */
  url: string;
  /** Milliseconds before a command counts as failed (default 2000; an unreachable Redis fails at once). */
  commandTimeoutMs?: number;
  /** Connection errors are reported here (rate-limited by the caller). */
  onError?: (e: Error) => void;
}

/** A fleet node's entry in the registry: its node-to-node UDP locator. */
export interface FleetNodeInfo {
  /** Node name. */
  name: string;
  /** Its node-to-node UDP locator. */
  fleet: Locator;
  /** True while its liveness key is fresh. */
  alive: boolean;
}

/** A lease store in Redis shared by a fleet of FA nodes (docs/PROTOCOL.md §13), also the fleet's registry; needs the optional package `ioredis`. */
export class RedisLeaseStore implements LeaseStore {
  /** Key prefix (one fleet per prefix). */
  readonly prefix: string;
  private readonly channel: string;
  private watcher: LeaseWatcher | undefined;
  private sub: Client | undefined;
  private wasDown = false;
  private closed = false;

  private constructor(
    private readonly r: Client,
    prefix: string,
    private readonly o: RedisStoreOptions,
  ) {
    this.prefix = prefix;
    this.channel = `${prefix}changes`;
  }

  /** Connect (rejects when Redis is unreachable at start). */
  static async open(o: RedisStoreOptions): Promise<RedisLeaseStore> {
    const mod = await importOptional<{ default: new (url: string, opts: object) => Client }>("ioredis", "the Redis lease store (hipmm fa --store redis://…)");
    const u = new URL(o.url);
    const name = u.searchParams.get("prefix") ?? "fa";
    if (!/^[\w.-]{1,64}$/.test(name)) throw new RangeError(`bad Redis key prefix ${name}`);
    u.search = "";
    const r = new mod.default(u.toString(), {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: o.commandTimeoutMs ?? 2000,
      retryStrategy: (times: number) => Math.min(50 * times, 1000),
    });
    r.on("error", (e) => o.onError?.(e as Error));
    r.defineCommand("hipmmCreate", { lua: CREATE });
    r.defineCommand("hipmmRenew", { lua: RENEW });
    r.defineCommand("hipmmDrop", { lua: DROP });
    await r.connect();
    return new RedisLeaseStore(r, `hipmm:{${name}}:`, o);
  }

  private script(name: string): Script {
    return (this.r[name] as Script).bind(this.r);
  }

  private key(l: { hit: string; leaseId: number }): string {
    return `${this.prefix}lease:${l.hit}:${l.leaseId}`;
  }

  private claims(l: Lease): string[] {
    if (l.addrType === 6) return [`${this.prefix}addr:${l.locator.ip}|${l.locator.port}`];
    const out: string[] = [];
    for (let b = l.spiMin >>> SPI_BLOCK_SHIFT; b <= l.spiMax >>> SPI_BLOCK_SHIFT; b++) out.push(`${this.prefix}spi:${b}`);
    return out;
  }

  async load(now: Millis): Promise<Lease[]> {
    const zset = `${this.prefix}leases`;
    await this.r.zremrangebyscore(zset, "-inf", now);
    const members = await this.r.zrangebyscore(zset, `(${now}`, "+inf");
    const out: Lease[] = [];
    for (let i = 0; i < members.length; i += 1000) {
      const p = this.r.pipeline();
      const batch = members.slice(i, i + 1000);
      for (const m of batch) p.hgetall(`${this.prefix}lease:${m}`);
      const res = (await p.exec()) ?? [];
      res.forEach(([err, h], j) => {
        const l = err ? undefined : fromHash(batch[j], h as Record<string, string>);
        if (l && l.expires > now) out.push(l);
      });
    }
    return out;
  }

  async create(l: Lease): Promise<"ok" | "conflict"> {
    const m = `${l.hit}:${l.leaseId}`;
    const s = JSON.stringify({ a: l.addrType, ip: l.locator.ip, port: l.locator.port, min: l.spiMin, max: l.spiMax, f: l.firstExpiry, c: l.created });
    const keys = [this.key(l), `${this.prefix}leases`, `${this.prefix}hit:${l.hit}`, `${this.prefix}host:${l.host.ip}|${l.host.port}`, ...this.claims(l)];
    const r = Number(await this.script("hipmmCreate")(keys.length, ...keys, m, Math.floor(l.expires), s, l.host.ip, l.host.port, l.tunnel ? 1 : 0, l.requestId, l.node ?? "", this.channel, this.prefix));
    if (r < 1) return "conflict";
    l.version = r; // §13.2: the driver hands it to the agent with the result
    return "ok";
  }

  async renew(l: Lease): Promise<Millis | undefined> {
    const keys = [this.key(l), `${this.prefix}leases`, `${this.prefix}host:${l.host.ip}|${l.host.port}`, ...this.claims(l)];
    const r = (await this.script("hipmmRenew")(keys.length, ...keys, `${l.hit}:${l.leaseId}`, Math.floor(l.expires), l.host.ip, l.host.port, l.tunnel ? 1 : 0, l.requestId, l.node ?? "", this.channel, this.prefix)) as [string, number] | null;
    if (!r) return undefined;
    l.version = Number(r[1]);
    return Number(r[0]);
  }

  private async drop(hit: string, leaseId: number, now: string): Promise<boolean> {
    const cur = await this.r.hgetall(this.key({ hit, leaseId }));
    const l = fromHash(`${hit}:${leaseId}`, cur);
    const keys = [this.key({ hit, leaseId }), `${this.prefix}leases`, `${this.prefix}hit:${hit}`, ...(l ? this.claims(l) : [])];
    return (await this.script("hipmmDrop")(keys.length, ...keys, `${hit}:${leaseId}`, now, this.channel, this.prefix)) === 1;
  }

  async release(hit: string, leaseId: number): Promise<void> {
    await this.drop(hit, leaseId, "");
  }

  async expire(hit: string, leaseId: number, now: Millis): Promise<boolean> {
    return this.drop(hit, leaseId, String(Math.floor(now)));
  }

  /** Other nodes' changes, and a full reload whenever the connection comes back. */
  watch(w: LeaseWatcher): void {
    this.watcher = w;
    const sub = this.r.duplicate();
    this.sub = sub;
    sub.on("error", (e) => this.o.onError?.(e as Error));
    sub.on("message", (_ch, msg) => this.message(String(msg)));
    // §13.2: reload only once the feed is subscribed (again): every change after the reload's
    // snapshot then reaches us, and the versions sort out the ones that raced it. (ioredis
    // resubscribes by itself on reconnect; ours is queued behind it on the same connection.)
    sub.on("ready", () => void sub.subscribe(this.channel).then(() => this.resync(), (e) => this.o.onError?.(e as Error)));
    this.r.on("close", () => {
      if (!this.wasDown && !this.closed) w.down?.(true, "connection closed");
      this.wasDown = true;
    });
    this.r.on("ready", () => void this.resync());
    sub.connect().catch((e) => this.o.onError?.(e as Error));
  }

  private async resync(): Promise<void> {
    const w = this.watcher;
    if (!w || this.closed || this.r.status !== "ready") return;
    try {
      const v = Number(await this.r.get(`${this.prefix}ver`)) || 0; // before the snapshot
      const all = await this.load(Date.now());
      if (this.wasDown) w.down?.(false, "reconnected");
      this.wasDown = false;
      w.reloaded(all, v);
    } catch (e) {
      this.o.onError?.(e as Error);
    }
  }

  private message(msg: string): void {
    const w = this.watcher;
    if (!w) return;
    const f = msg.split("\t");
    const [hit, id] = (f[1] ?? "").split(":");
    if (f[0] === "D" && hit) w.removed(hit, Number(id), f[2] ? Number(f[2]) : undefined);
    else if (f[0] === "P" && f.length >= 9) {
      const l = fromHash(f[1], { s: f[2], e: f[3], h: f[4], hp: f[5], t: f[6], r: f[7], n: f[8], v: f[9] });
      if (l) w.changed(l);
    }
  }

  /** Fleet registry: this node's node-to-node locator, alive for `ttlMs`. */
  async heartbeat(name: string, fleet: Locator, ttlMs: number): Promise<void> {
    await this.r.hset(`${this.prefix}nodes`, name, `${fleet.ip}|${fleet.port}`);
    await this.r.set(`${this.prefix}alive:${name}`, "1", "PX", ttlMs);
  }

  /** The fleet registry: every node with its locator and liveness. */
  async nodes(): Promise<FleetNodeInfo[]> {
    const h = await this.r.hgetall(`${this.prefix}nodes`);
    const names = Object.keys(h);
    if (names.length === 0) return [];
    const alive = await this.r.mget(...names.map((n) => `${this.prefix}alive:${n}`));
    return names.map((name, i) => {
      const [ip, port] = h[name].split("|");
      return { name, fleet: { ip, port: Number(port) }, alive: alive[i] !== null };
    });
  }

  /** The raw client (tests and the bench count claims). */
  get client(): unknown {
    return this.r;
  }

  /** Close the connections. */
  async close(): Promise<void> {
    this.closed = true;
    for (const c of [this.sub, this.r]) {
      if (!c) continue;
      try {
        if (c.status === "ready") await c.quit();
        else c.disconnect();
      } catch {
        c.disconnect();
      }
    }
  }
}

function fromHash(member: string, h: Record<string, string> | undefined): Lease | undefined {
  if (!h?.s || !h.e) return undefined;
  const i = member.lastIndexOf(":");
  let s: { a: number; ip: string; port: number; min: number; max: number; f: number; c: number };
  try {
    s = JSON.parse(h.s);
  } catch {
    return undefined;
  }
  const l: Lease = {
    hit: member.slice(0, i),
    leaseId: Number(member.slice(i + 1)),
    addrType: s.a as AddrType,
    locator: { ip: s.ip, port: s.port },
    spiMin: s.min,
    spiMax: s.max,
    expires: Number(h.e),
    firstExpiry: s.f,
    host: { ip: h.h, port: Number(h.hp) },
    tunnel: h.t === "1",
    requestId: Number(h.r),
    created: s.c,
  };
  if (h.n) l.node = h.n;
  if (h.v) l.version = Number(h.v);
  return l;
}
