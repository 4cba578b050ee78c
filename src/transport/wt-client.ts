// WebTransport tunnel, client side (browsers; Deno's WebTransport too): one tunnel frame
// (PROTOCOL §4, PROFILE §3) per WebTransport datagram, unreliable like the UDP it replaces.
// A frame larger than the session's datagram limit (an ESP packet near 1400 bytes plus the
// 40-byte frame header) goes instead as a record on one client-opened bidirectional stream:
// 2-byte big-endian length + frame; the FA answers oversized frames on the same stream
// (docs/PROTOCOL.md §11.x). The stream opens with a PING record so the FA learns of it at once.
import { emitTunnelFrame, TunnelFrameType } from "../wire/tunnel.ts";
import { bounded, type Tunnel } from "./tunnel.ts";

/** Options of {@link WtTunnel.connect}. */
export interface WtTunnelOptions {
  /** SHA-256 hashes of self-signed server certificates (ECDSA P-256, valid ≤ 14 days). */
  serverCertificateHashes?: Uint8Array[];
  /** Give up connecting after this long (default 10 s). */
  timeoutMs?: number;
}

/** Reads length-prefixed records from a byte stream (the oversized-frame stream). */
export class RecordReader {
  private buf = new Uint8Array(0);

  constructor(private readonly onRecord: (r: Uint8Array) => void) {}

  push(chunk: Uint8Array): void {
    let b = this.buf.length ? concat(this.buf, chunk) : chunk;
    while (b.length >= 2) {
      const n = (b[0] << 8) | b[1];
      if (b.length < 2 + n) break;
      this.onRecord(b.slice(2, 2 + n));
      b = b.subarray(2 + n);
    }
    this.buf = b.slice();
  }
}

export function record(frame: Uint8Array): Uint8Array {
  const out = new Uint8Array(2 + frame.length);
  out[0] = frame.length >> 8;
  out[1] = frame.length & 0xff;
  out.set(frame, 2);
  return out;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

type Writer = WritableStreamDefaultWriter<Uint8Array>;

/** A tunnel over WebTransport datagrams (oversized frames go as records on a stream). */
export class WtTunnel implements Tunnel {
  readonly kind = "webtransport";
  onFrame: (frame: Uint8Array) => void = () => {};
  onClose: (reason: string) => void = () => {};
  closed = false;
  sendErrors = 0;
  /** Frames sent as datagrams / as stream records (oversized). */
  datagramsSent = 0;
  /** Frames sent as stream records (too large for a datagram). */
  recordsSent = 0;

  private constructor(
    private readonly wt: WebTransport,
    private readonly dgram: Writer,
    private readonly stream: Writer,
    readable: ReadableStream<Uint8Array>,
  ) {
    void this.readDatagrams();
    void this.readStream(readable);
    wt.closed.then(
      (i) => this.closedBy(`webtransport closed (${i.closeCode ?? 0} ${i.reason ?? ""})`),
      (e) => this.closedBy(`webtransport failed: ${String(e)}`),
    );
  }

  /** Largest frame sent as one datagram (the session's limit). */
  get maxDatagramSize(): number {
    return this.wt.datagrams.maxDatagramSize;
  }

  /** Open a session to `url` (https://IP:PORT/path; use 127.0.0.1, not localhost, for loopback). */
  static async connect(url: string, opts: WtTunnelOptions = {}): Promise<WtTunnel> {
    const Ctor = (globalThis as { WebTransport?: typeof WebTransport }).WebTransport;
    if (!Ctor) throw new Error("no WebTransport implementation available");
    const init: WebTransportOptions = {};
    if (opts.serverCertificateHashes?.length) init.serverCertificateHashes = opts.serverCertificateHashes.map((h) => ({ algorithm: "sha-256", value: h as Uint8Array<ArrayBuffer> }));
    const wt = new Ctor(url, init);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`WebTransport to ${url}: no session after ${opts.timeoutMs ?? 10_000} ms`)), opts.timeoutMs ?? 10_000);
    });
    try {
      await Promise.race([wt.ready, deadline]);
      const bidi = await Promise.race([wt.createBidirectionalStream(), deadline]);
      const stream = bidi.writable.getWriter() as Writer;
      await stream.write(record(emitTunnelFrame({ type: TunnelFrameType.PING, payload: new Uint8Array(0) })));
      const d = wt.datagrams as WebTransportDatagramDuplexStream & { createWritable?: () => WritableStream<Uint8Array> };
      const dgram = (d.createWritable ? d.createWritable() : d.writable).getWriter() as Writer;
      return new WtTunnel(wt, dgram, stream, bidi.readable as ReadableStream<Uint8Array>);
    } catch (e) {
      wt.close();
      throw e;
    } finally {
      clearTimeout(timer);
    }
  }

  send(frame: Uint8Array): void {
    if (this.closed) {
      this.sendErrors++;
      return;
    }
    const fail = () => {
      this.sendErrors++;
    };
    if (frame.length <= this.maxDatagramSize) {
      this.datagramsSent++;
      this.dgram.write(frame).catch(fail);
    } else {
      this.recordsSent++;
      this.stream.write(record(frame)).catch(fail);
    }
  }

  close(waitMs = 1000): Promise<void> {
    this.closedBy("closed locally");
    try {
      this.wt.close();
    } catch {
      // already closed
    }
    return bounded(this.wt.closed, waitMs);
  }

  private async readDatagrams(): Promise<void> {
    const r = this.wt.datagrams.readable.getReader();
    try {
      for (;;) {
        const { value, done } = await r.read();
        if (done) return;
        this.onFrame(value as Uint8Array);
      }
    } catch {
      // session closed: `closed` reports it
    }
  }

  private async readStream(readable: ReadableStream<Uint8Array>): Promise<void> {
    const records = new RecordReader((f) => this.onFrame(f));
    const r = readable.getReader();
    try {
      for (;;) {
        const { value, done } = await r.read();
        if (done) return;
        records.push(value);
      }
    } catch {
      // session closed
    }
  }

  private closedBy(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.onClose(reason);
  }
}
