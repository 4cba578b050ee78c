// Helpers for the FA security tests: a UDP endpoint on loopback with a receive queue, an FA
// server on 127.0.0.1, FAQ/answer round trips, and a lease store that fails like a full disk.
import { createSocket, type Socket } from "node:dgram";
import Database from "better-sqlite3";
import type { Millis } from "../../src/core/types.ts";
import { faConfig, type FaConfig } from "../../src/fa/core/config.ts";
import { buildFaq, type FaqFields, parseFaPacket } from "../../src/fa/core/messages.ts";
import { FaServer, type FaServerOptions } from "../../src/fa/server/server.ts";
import type { Lease } from "../../src/fa/store/lease.ts";
import { MemoryLeaseStore } from "../../src/fa/store/memory.ts";
import type { LeaseStore } from "../../src/fa/store/store.ts";
import type { HostIdentity } from "../../src/hip/identity.ts";
import { frameHip } from "../../src/wire/framing.ts";
import { identity } from "../fa/harness.ts";

export { identity };

export interface Udp {
  sock: Socket;
  port: number;
  received: { data: Uint8Array; port: number }[];
  next(ms?: number): Promise<{ data: Uint8Array; port: number }>;
  send(data: Uint8Array, port: number): Promise<void>;
  close(): Promise<void>;
}

export async function udp(): Promise<Udp> {
  const sock = createSocket("udp4");
  const received: { data: Uint8Array; port: number }[] = [];
  const queue: { data: Uint8Array; port: number }[] = [];
  const waiters: ((m: { data: Uint8Array; port: number }) => void)[] = [];
  sock.on("message", (m, r) => {
    const item = { data: new Uint8Array(m), port: r.port };
    received.push(item);
    const w = waiters.shift();
    if (w) w(item);
    else queue.push(item);
  });
  await new Promise<void>((r) => sock.bind(0, "127.0.0.1", () => r()));
  return {
    sock,
    port: sock.address().port,
    received,
    next: (ms = 5000) =>
      new Promise((resolve, reject) => {
        const q = queue.shift();
        if (q) return resolve(q);
        const t = setTimeout(() => reject(new Error("timeout waiting for a datagram")), ms);
        waiters.push((m) => {
          clearTimeout(t);
          resolve(m);
        });
      }),
    send: (data, port) => new Promise((r, j) => sock.send(data, port, "127.0.0.1", (e) => (e ? j(e) : r()))),
    close: () => new Promise((r) => sock.close(() => r())),
  };
}

export async function startFa(cfg: Partial<FaConfig> = {}, o: Partial<FaServerOptions> = {}): Promise<{ server: FaServer; port: number; faHit: Uint8Array }> {
  const at = { ip: "127.0.0.1", port: 0 };
  const server = await FaServer.start({
    identity: identity(1),
    config: faConfig({ control: [at], shared4: [at], puzzle: "off", ...cfg }),
    store: new MemoryLeaseStore(),
    ...o,
  });
  return { server, port: server.udp[0].port, faHit: identity(1).hit };
}

/** Send a FAQ from `u` and return the parsed answer (FAA or FAD). */
export async function faq(u: Udp, faPort: number, id: HostIdentity, faHit: Uint8Array, f: FaqFields) {
  await u.send(frameHip(buildFaq(id, faHit, f)), faPort);
  const r = parseFaPacket((await u.next()).data.subarray(4));
  if (!r.ok) throw new Error(`bad answer: ${r.error.message}`);
  return r.value;
}

/** Wait (bounded) until `cond` holds. */
export async function until(cond: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A real lease store that fails every write like a full disk (SQLITE_FULL) while `full`. */
export class FullDiskStore implements LeaseStore {
  full = false;
  writes = 0;
  constructor(private readonly inner: LeaseStore) {}
  private check(): void {
    this.writes++;
    if (this.full) throw new Database.SqliteError("database or disk is full", "SQLITE_FULL");
  }
  load(now: Millis): Promise<Lease[]> {
    return this.inner.load(now);
  }
  async create(lease: Lease): Promise<"ok" | "conflict"> {
    this.check();
    return this.inner.create(lease);
  }
  async renew(lease: Lease): Promise<Millis | undefined> {
    this.check();
    return this.inner.renew(lease);
  }
  async release(hit: string, leaseId: number): Promise<void> {
    this.check();
    return this.inner.release(hit, leaseId);
  }
  async expire(hit: string, leaseId: number, now: Millis): Promise<boolean> {
    this.check();
    return this.inner.expire(hit, leaseId, now);
  }
  close(): Promise<void> | void {
    return this.inner.close();
  }
}
