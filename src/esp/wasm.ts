// Narrowed view of the hipmm WASM exports used by the crypto helpers and the ESP data plane
// (assembly/crypto/api.ts, assembly/esp/api.ts), plus a memory view that follows memory.grow.
import type { HipmmExports } from "../wasm/instantiate.ts";

export type EspWasm = HipmmExports & {
  cryptoInit(): void;
  cryptoAlloc(size: number): number;
  shaCtxInit(ctx: number, alg: number): void;
  hmacCtxInit(ctx: number, alg: number, key: number, keyLen: number): void;
  shaCtxUpdate(ctx: number, p: number, len: number): void;
  shaCtxFinal(ctx: number, out: number): number;
  aesCtxInit(ctx: number, key: number, keyLen: number, gcm: number): number;
  aesCbcEncrypt(ctx: number, iv: number, p: number, len: number): void;
  aesCbcDecrypt(ctx: number, iv: number, p: number, len: number): void;
  aesCtr(ctx: number, nonce: number, ctr: number, p: number, len: number): void;
  aesGcmSeal(ctx: number, nonce: number, aad: number, aadLen: number, p: number, len: number, tag: number): void;
  aesGcmOpen(ctx: number, nonce: number, aad: number, aadLen: number, p: number, len: number, tag: number, tagLen: number): number;
  espSaSetIcvLen(h: number, icv: number): number;
  espSaInstall(
    spi: number, suite: number, dir: number, keys: number, encLen: number, authLen: number, seedLen: number,
    window: number, initialSeq: number,
  ): number;
  espSaRemove(h: number): number;
  espSaLookup(spi: number): number;
  espSaStats(h: number, out: number): number;
  espSealBatch(base: number, size: number, n: number): number;
  espOpenBatch(base: number, size: number, n: number): number;
  espSeal(h: number, nh: number, pkt: number, plen: number, cap: number): number;
  espOpen(pkt: number, len: number): number;
  espSealUdp(h: number, pkt: number, plen: number, cap: number, pseudo: number): number;
  espInetSum(p: number, len: number): number;
  espResultPtr(): number;
};

/**
 * Byte view of WASM memory, re-created whenever memory has grown. Growing detaches the old
 * ArrayBuffer (byteLength 0), which is far cheaper to test per packet than memory.buffer.
 */
export class WasmMemory {
  private u8: Uint8Array;
  private dv: DataView;
  private w32: Uint32Array;
  constructor(private readonly memory: WebAssembly.Memory) {
    this.u8 = new Uint8Array(memory.buffer);
    this.dv = new DataView(memory.buffer);
    this.w32 = new Uint32Array(memory.buffer);
  }
  get bytes(): Uint8Array {
    if (this.u8.byteLength === 0) this.refresh();
    return this.u8;
  }
  get view(): DataView {
    if (this.u8.byteLength === 0) this.refresh();
    return this.dv;
  }
  /** 32-bit words (native = little-endian order in every WASM host), index = address / 4. */
  get words(): Uint32Array {
    if (this.u8.byteLength === 0) this.refresh();
    return this.w32;
  }
  private refresh(): void {
    this.u8 = new Uint8Array(this.memory.buffer);
    this.dv = new DataView(this.memory.buffer);
    this.w32 = new Uint32Array(this.memory.buffer);
  }
}

/** Checks that `e` has the crypto/ESP exports (a stale build/hipmm.wasm would not). */
export function asEspWasm(e: HipmmExports): EspWasm {
  const w = e as EspWasm;
  if (typeof w.espSealBatch !== "function" || typeof w.cryptoInit !== "function") {
    throw new Error("hipmm wasm lacks the ESP exports: run `npm run build:wasm`");
  }
  // AssemblyScript's start function sets up the heap; the loader runs it, but be safe (idempotent).
  (e as { _initialize?: () => void })._initialize?.();
  w.cryptoInit();
  return w;
}
