// SQLite LeaseStore (Node only: better-sqlite3), the embedded default for one machine. Every
// create/renew/release is written with a prepared statement in WAL mode before its promise
// resolves (and so before the FAQ's answer), so an FA killed with SIGKILL and restarted
// on the same file keeps forwarding every unexpired lease (§4.4.2 asks hosts to recover from
// FA crashes; with this store a restart loses nothing). Conflicts are decided on a memory index.
import { chmodSync, closeSync, existsSync, openSync } from "node:fs";
import type Database from "better-sqlite3";
import { requireOptional } from "../../core/optional-node.ts";
import type { Millis } from "../../core/types.ts";
import type { AddrType, Lease } from "../core/lease.ts";
import { MemoryLeaseStore } from "./memory.ts";
import type { LeaseStore } from "../core/store.ts";

const SCHEMA = `CREATE TABLE IF NOT EXISTS leases (
  hit TEXT NOT NULL, lease_id INTEGER NOT NULL, addr_type INTEGER NOT NULL,
  ip TEXT NOT NULL, port INTEGER NOT NULL, spi_min INTEGER NOT NULL, spi_max INTEGER NOT NULL,
  expires INTEGER NOT NULL, first_expiry INTEGER NOT NULL,
  host_ip TEXT NOT NULL, host_port INTEGER NOT NULL, tunnel INTEGER NOT NULL, request_id INTEGER NOT NULL, created INTEGER NOT NULL,
  PRIMARY KEY (hit, lease_id)) WITHOUT ROWID`;

interface Row {
  hit: string;
  lease_id: number;
  addr_type: number;
  ip: string;
  port: number;
  spi_min: number;
  spi_max: number;
  expires: number;
  first_expiry: number;
  host_ip: string;
  host_port: number;
  tunnel: number;
  request_id: number;
  created: number;
}

/** A lease store in one SQLite file (`hipmm fa --store`); needs the optional package `better-sqlite3`. */
export class SqliteLeaseStore implements LeaseStore {
  private readonly db: Database.Database;
  private readonly mem = new MemoryLeaseStore();
  private readonly upsert: Database.Statement;
  private readonly del: Database.Statement;
  private readonly delExpired: Database.Statement;
  /** Deleting expired rows failed (they stay in the file until the next try; a restart drops
   *  them as expired): counted here, the leases are gone from memory all the same. */
  expiryErrors = 0;

  /** Opens (or creates) the file and loads every lease it holds. The file holds every host's
   *  real address: it is created 0600 in the call that creates it, and SQLite gives its -wal and
   *  -shm files the database file's mode (issue 9 item 7). */
  constructor(path: string) {
    if (path !== ":memory:") {
      closeSync(openSync(path, "a", 0o600));
      for (const f of [path, `${path}-wal`, `${path}-shm`]) if (existsSync(f)) chmodSync(f, 0o600);
    }
    // better-sqlite3 is an optional peer dependency: loaded only when a store file is used.
    const Sqlite = requireOptional<typeof Database>("better-sqlite3", "the SQLite lease store (hipmm fa --store)");
    this.db = new Sqlite(path);
    this.db.pragma("journal_mode = WAL");
    // NORMAL in WAL mode survives a process crash (data is in the OS once a commit returns);
    // only an OS crash / power loss may lose the last commits.
    this.db.pragma("synchronous = NORMAL");
    this.db.exec(SCHEMA);
    this.upsert = this.db.prepare(
      `INSERT OR REPLACE INTO leases VALUES (@hit, @lease_id, @addr_type, @ip, @port, @spi_min, @spi_max,
       @expires, @first_expiry, @host_ip, @host_port, @tunnel, @request_id, @created)`,
    );
    this.del = this.db.prepare("DELETE FROM leases WHERE hit = ? AND lease_id = ?");
    this.delExpired = this.db.prepare("DELETE FROM leases WHERE expires <= ?");
    for (const r of this.db.prepare("SELECT * FROM leases").all() as Row[]) this.mem.put(fromRow(r));
  }

  /** Number of leases held. */
  get size(): number {
    return this.mem.size;
  }

  async load(now: Millis): Promise<Lease[]> {
    return this.mem.load(now);
  }

  /** One FA per file: the memory index decides conflicts; the row is written before the
   *  promise resolves (the FAA follows it). */
  async create(lease: Lease): Promise<"ok" | "conflict"> {
    if (this.mem.get(lease.hit, lease.leaseId)) return "conflict";
    const r = this.mem.claim(lease);
    if (r !== "ok") return r;
    try {
      this.upsert.run(toRow(lease));
    } catch (e) {
      this.mem.delete(lease.hit, lease.leaseId);
      throw e;
    }
    return "ok";
  }

  async renew(lease: Lease): Promise<Millis | undefined> {
    const cur = this.mem.get(lease.hit, lease.leaseId);
    if (!cur) return undefined;
    const next = { ...cur, expires: Math.max(cur.expires, lease.expires), host: { ...lease.host }, tunnel: lease.tunnel, requestId: lease.requestId };
    this.upsert.run(toRow(next));
    this.mem.put(next);
    return next.expires;
  }

  async release(hit: string, leaseId: number): Promise<void> {
    this.del.run(hit, leaseId);
    this.mem.delete(hit, leaseId);
  }

  async expire(hit: string, leaseId: number, now: Millis): Promise<boolean> {
    const cur = this.mem.get(hit, leaseId);
    if (cur && cur.expires > now) return false;
    this.mem.removeExpired(now);
    try {
      this.delExpired.run(now);
    } catch (e) {
      this.expiryErrors++;
      throw e;
    }
    return cur !== undefined;
  }

  /** Close the database. */
  close(): void {
    this.mem.close();
    if (this.db.open) this.db.close();
  }
}

function toRow(l: Lease): Row {
  return {
    hit: l.hit,
    lease_id: l.leaseId,
    addr_type: l.addrType,
    ip: l.locator.ip,
    port: l.locator.port,
    spi_min: l.spiMin,
    spi_max: l.spiMax,
    expires: Math.floor(l.expires),
    first_expiry: Math.floor(l.firstExpiry),
    host_ip: l.host.ip,
    host_port: l.host.port,
    tunnel: l.tunnel ? 1 : 0,
    request_id: l.requestId,
    created: Math.floor(l.created),
  };
}

function fromRow(r: Row): Lease {
  return {
    hit: r.hit,
    leaseId: r.lease_id,
    addrType: r.addr_type as AddrType,
    locator: { ip: r.ip, port: r.port },
    spiMin: r.spi_min,
    spiMax: r.spi_max,
    expires: r.expires,
    firstExpiry: r.first_expiry,
    host: { ip: r.host_ip, port: r.host_port },
    tunnel: r.tunnel === 1,
    requestId: r.request_id,
    created: r.created,
  };
}
