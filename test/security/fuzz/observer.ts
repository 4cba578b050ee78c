// Data-plane boundary observer for the stateful fuzzer: a DataPlane that records every SA
// install / removal and every sealed ESP packet of one host, and reports key and nonce reuse.
// No change to src/: HostStack takes a `dataPlane` option, this is one.
// - (key, salt) reuse: every SA install is fingerprinted by its suite and keys (for AES-GCM the
//   enc key is key ‖ 4-byte salt, RFC 4106 §8.1). The same fingerprint installed twice on one
//   host (either direction) is a violation: two SAs then share a keystream (issue 9, item 1).
// - (key, IV) reuse: within one SA the data plane's IV is a function of a counter that must move
//   forward (checked: the sequence number of each sealed packet grows strictly); across SAs an IV
//   can only repeat when their keys do, so the IVs of packets sealed under a fingerprint held by
//   more than one SA are remembered and a repeat is reported. Bounded: only shared keys are tracked.
import { DataPlane } from "../../../src/esp/dataplane.ts";
import { EspStatus, EspSuite, type SaParams, type SealResult } from "../../../src/esp/types.ts";
import { loadWasmSync, wasmBytes } from "../../../src/wasm/loader.ts";

let wasmModule: WebAssembly.Module | undefined;

export interface KeyEvent {
  kind: "key-reuse" | "iv-reuse" | "seq-not-increasing";
  detail: string;
}

interface SaRec {
  fp: string;
  spi: number;
  direction: "in" | "out";
  suite: number;
  lastSeq: number;
}

function hex(b: Uint8Array): string {
  let s = "";
  for (let i = 0; i < b.length; i++) s += (b[i] < 16 ? "0" : "") + b[i].toString(16);
  return s;
}

/** IV length in the ESP packet after SPI + sequence number (RFC 4303 §2.3). */
function ivLen(suite: number): number {
  if (suite === EspSuite.AES_GCM16) return 8;
  if (suite === EspSuite.NULL_SHA256) return 0;
  return 16;
}

export class ObservedDataPlane extends DataPlane {
  /** Handle → SA record (live SAs). */
  readonly live = new Map<number, SaRec>();
  /** Fingerprint → number of installs ever (a second install is a violation). */
  private readonly installs = new Map<string, { n: number; first: string }>();
  /** Fingerprint → IVs seen, only for fingerprints installed more than once. */
  private readonly ivs = new Map<string, Set<string>>();
  /** Pending violations, drained by the fuzzer after each packet. */
  readonly events: KeyEvent[] = [];
  installed = 0;
  removed = 0;
  sealed = 0;

  constructor(readonly hostName: string) {
    // Own WASM instance per host (SPIs of hosts sharing a process must not collide), as newDataPlane.
    wasmModule ??= new WebAssembly.Module(wasmBytes() as Uint8Array<ArrayBuffer>);
    super(loadWasmSync(wasmModule));
  }

  override installSa(p: SaParams): number {
    const h = super.installSa(p);
    const fp = `${p.suite}:${hex(p.encKey)}:${hex(p.authKey)}`;
    const desc = `${p.direction}bound SA 0x${(p.spi >>> 0).toString(16)}`;
    const rec = this.installs.get(fp) ?? { n: 0, first: desc };
    const n = ++rec.n;
    this.installs.set(fp, rec);
    if (n > 1) {
      this.events.push({ kind: "key-reuse", detail: `${this.hostName}: ${desc} suite ${p.suite} installed with the (key, salt) of ${rec.first} (install ${n}, ivSeed ${p.ivSeed ? "set" : "absent"})` });
      if (!this.ivs.has(fp)) this.ivs.set(fp, new Set());
    }
    this.live.set(h, { fp, spi: p.spi >>> 0, direction: p.direction, suite: p.suite, lastSeq: p.initialSeq ?? 0 });
    this.installed++;
    return h;
  }

  override removeSa(handle: number): boolean {
    if (this.live.delete(handle)) this.removed++;
    return super.removeSa(handle);
  }

  override sealOne(handle: number, nextHeader: number, payload: Uint8Array): SealResult {
    const r = super.sealOne(handle, nextHeader, payload);
    if (r.status !== EspStatus.Ok) return r;
    this.sealed++;
    const sa = this.live.get(handle);
    if (!sa) return r;
    if (r.seq <= sa.lastSeq) this.events.push({ kind: "seq-not-increasing", detail: `${this.hostName}: SA 0x${sa.spi.toString(16)} sealed seq ${r.seq} after ${sa.lastSeq}` });
    sa.lastSeq = r.seq;
    const set = this.ivs.get(sa.fp);
    if (set) {
      const n = ivLen(sa.suite);
      const iv = n === 0 ? `seq${r.seq}` : hex(r.packet.subarray(8, 8 + n));
      if (set.has(iv)) this.events.push({ kind: "iv-reuse", detail: `${this.hostName}: (key, IV ${iv}) sealed twice (SA 0x${sa.spi.toString(16)}, seq ${r.seq})` });
      else if (set.size < 1 << 16) set.add(iv);
    }
    return r;
  }

  /** SAs currently installed. */
  get size(): number {
    return this.live.size;
  }
}
