// The ESP work of a HostStack whose data plane runs elsewhere (a Worker, esp-runner.ts): SA
// installs / removals and seal / open jobs in ONE ordered queue, so whoever runs it keeps "an SA
// is installed before the packets that use it, removed after them". Sans-I/O; browser-safe.
// The same SealJob / OpenJob are the "prepared" halves of the synchronous in-process path
// (HostStack.prepareSeal / completeSeal, prepareOpen / completeOpen).
import type { Locator } from "../core/types.ts";
import type { SaParams } from "../esp/types.ts";
import type { SaBackend } from "./sa-table.ts";

/** An application datagram routed and encoded, ready to seal (RFC 7402 §3.1 BEET). */
export interface SealJob {
  /** The peer's HIT. */
  peerHit: Uint8Array;
  /** Outbound SA: a DataPlane handle, or a DeferredEsp id. */
  handle: number;
  /** IPv6 next header of the inner packet (17 UDP, 58 ICMPv6, 6 TCP…). */
  nextHeader: number;
  /** Inner upper-layer packet (e.g. UDP header + data, checksummed over the HITs). */
  seg: Uint8Array;
  /**
   * Set when `seg` is a BEET UDP segment whose checksum the data plane fills (Worker path,
   * EspBatch.addSealUdp): the pseudo-header sum over the HITs (RFC 8200 §8.1).
   */
  udpPseudo?: number;
  /** Destination locator. */
  to: Locator;
  /** Source locator (default: the socket's). */
  from?: Locator;
  /** Rides inside the REA about to go out (ESP_DATAGRAM, draft §6.1.1) instead of on its own. */
  rea: boolean;
}

/** An inbound ESP datagram whose SPI names one of our inbound SAs, ready to open. */
export interface OpenJob {
  /** The ESP datagram (empty when the data plane received and opened it itself: then `size`). */
  data: Uint8Array;
  /** The ESP datagram's length when `data` was not kept (dataPlane "worker-io"). */
  size?: number;
  /** Outer source locator. */
  from: Locator;
  /** Our locator it arrived at. */
  to: Locator;
  /** Came inside an REA: proves nothing about the path it names (liveness needs the ACR). */
  viaRea: boolean;
}

/** What the data plane reported for one opened packet (an OpenResult, or read from an EspBatch). */
export interface OpenOutcome {
  /** EspStatus of the open. */
  status: number;
  /** SPI of the packet. */
  spi: number;
  /** Its sequence number. */
  seq: number;
  /** Next Header of the payload. */
  nextHeader: number;
  /** The payload (empty unless Ok). */
  payload: Uint8Array;
  /** The payload's Internet checksum sum when the data plane computed it (DataPlane.open). */
  payloadSum?: number;
}

/** One item of the ordered ESP work queue of {@link DeferredEsp}. */
export type EspWork =
  | {
      /** Install an SA. */
      kind: "install";
      /** The SA id handed out. */
      id: number;
      /** Its parameters. */
      sa: SaParams;
    }
  | {
      /** Remove an SA. */
      kind: "remove";
      /** The SA id. */
      id: number;
    }
  | {
      /** Seal a datagram. */
      kind: "seal";
      /** The job. */
      job: SealJob;
    }
  | {
      /** Open an ESP packet. */
      kind: "open";
      /** The job. */
      job: OpenJob;
    };

interface SaRecord {
  spi: number;
  inbound: boolean;
  packets: number;
  seq: number;
}

/**
 * SaBackend for a remote data plane: hands out its own SA ids at once and queues the calls.
 * Inbound statistics (for retiring SAs, draft §6.1.1.1) come from `noteOpened`.
 */
export class DeferredEsp implements SaBackend {
  private queue: EspWork[] = [];
  private seals = 0;
  private opens = 0;
  private opensEver = 0;
  private nextId = 1;
  private readonly byId = new Map<number, SaRecord>();
  private readonly bySpi = new Map<number, SaRecord>();

  /** Items queued and not yet taken. */
  get pending(): number {
    return this.queue.length;
  }

  /** Seal jobs queued and not yet taken (HostStack bounds it by `limits.maxEspQueue`). */
  get queuedSeals(): number {
    return this.seals;
  }

  /** Open jobs queued and not yet taken (HostStack bounds it by `limits.maxEspQueue`). */
  get queuedOpens(): number {
    return this.opens;
  }

  /** Open jobs queued since this was made (taken or not): the runner orders opened batches by it. */
  get opensQueued(): number {
    return this.opensEver;
  }

  /** Everything queued so far, in order (the queue starts afresh). */
  take(): EspWork[] {
    const q = this.queue;
    this.queue = [];
    this.seals = 0;
    this.opens = 0;
    return q;
  }

  /** Queue a seal job; returns the sequence number the data plane will give it (one per seal on
   *  its SA, in order; 0 for an unknown SA), for HostStack's rekey threshold. */
  seal(job: SealJob): number {
    this.seals++;
    this.queue.push({ kind: "seal", job });
    const rec = this.byId.get(job.handle);
    return rec && !rec.inbound ? ++rec.seq : 0;
  }

  /** Queue an open job. */
  open(job: OpenJob): void {
    this.opens++;
    this.opensEver++;
    this.queue.push({ kind: "open", job });
  }

  installSa(sa: SaParams): number {
    // Refused here as the DataPlane would (RFC 4303 §4.4.2: one inbound SA per SPI).
    if (sa.direction === "in" && this.bySpi.has(sa.spi >>> 0)) throw new RangeError(`inbound SPI 0x${(sa.spi >>> 0).toString(16)} already installed`);
    const id = this.nextId++;
    const rec: SaRecord = { spi: sa.spi >>> 0, inbound: sa.direction === "in", packets: 0, seq: sa.initialSeq ?? 0 };
    this.byId.set(id, rec);
    if (rec.inbound) this.bySpi.set(rec.spi, rec);
    this.queue.push({ kind: "install", id, sa });
    return id;
  }

  /** Queue the removal of SA `id`; false for an unknown id. */
  removeSa(id: number): boolean {
    const rec = this.byId.get(id);
    if (!rec) return false;
    this.byId.delete(id);
    if (rec.inbound && this.bySpi.get(rec.spi) === rec) this.bySpi.delete(rec.spi);
    this.queue.push({ kind: "remove", id });
    return true;
  }

  stats(id: number): {
    /** Packets opened on it (from `noteOpened`). */
    packets: number;
    /** Highest sequence number seen (inbound) or the initial one. */
    seq: number;
  } | undefined {
    return this.byId.get(id);
  }

  /** The data plane authenticated packet `seq` on the inbound SA `spi`. */
  noteOpened(spi: number, seq: number): void {
    const rec = this.bySpi.get(spi >>> 0);
    if (!rec) return;
    rec.packets++;
    if (seq > rec.seq) rec.seq = seq;
  }
}
