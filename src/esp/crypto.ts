// Synchronous WASM-backed hashes, HMAC and AES for the control plane (HIP_MAC, HMAC of the
// draft, HIP_CIPHER / ENCRYPTED). Contexts and the I/O buffer are allocated once and grown
// only when a larger input arrives; nothing is allocated inside WASM per call otherwise.
import { type HipmmExports, loadWasmSync } from "../wasm/instantiate.ts";
import { asEspWasm, type EspWasm, WasmMemory } from "./wasm.ts";

const ALG_SHA1 = 1;
const ALG_SHA256 = 2;
const CHUNK = 65536;
const AES_CTX_BYTES = 512 + 65536;

/** Synchronous hashes, HMAC and AES on the WASM module (the control plane's crypto: HIP_MAC, the draft's HMAC, ENCRYPTED). */
export class WasmCrypto {
  /** The module's exports. */
  readonly wasm: EspWasm;
  private readonly mem: WasmMemory;
  private readonly ctx: number;
  private readonly aes: number;
  private readonly small: number; // 128 bytes: iv / nonce / tag / digest
  private io: number;
  private ioCap: number;

  constructor(exports: HipmmExports) {
    this.wasm = asEspWasm(exports);
    this.ctx = this.wasm.cryptoAlloc(256);
    this.aes = this.wasm.cryptoAlloc(AES_CTX_BYTES);
    this.small = this.wasm.cryptoAlloc(128);
    this.ioCap = CHUNK;
    this.io = this.wasm.cryptoAlloc(this.ioCap);
    this.mem = new WasmMemory(this.wasm.memory);
  }

  /** SHA-1 digest (20 bytes). */
  sha1(data: Uint8Array): Uint8Array {
    return this.hash(ALG_SHA1, undefined, data);
  }
  /** SHA-256 digest (32 bytes). */
  sha256(data: Uint8Array): Uint8Array {
    return this.hash(ALG_SHA256, undefined, data);
  }
  /** HMAC-SHA1 (20 bytes). */
  hmacSha1(key: Uint8Array, data: Uint8Array): Uint8Array {
    return this.hash(ALG_SHA1, key, data);
  }
  /** HMAC-SHA256 (32 bytes). */
  hmacSha256(key: Uint8Array, data: Uint8Array): Uint8Array {
    return this.hash(ALG_SHA256, key, data);
  }

  private hash(alg: number, key: Uint8Array | undefined, data: Uint8Array): Uint8Array {
    const w = this.wasm;
    if (key) {
      this.ensure(key.length);
      this.mem.bytes.set(key, this.io);
      w.hmacCtxInit(this.ctx, alg, this.io, key.length);
      this.mem.bytes.fill(0, this.io, this.io + key.length);
    } else {
      w.shaCtxInit(this.ctx, alg);
    }
    for (let off = 0; off < data.length; off += CHUNK) {
      const part = data.subarray(off, off + CHUNK);
      this.mem.bytes.set(part, this.io);
      w.shaCtxUpdate(this.ctx, this.io, part.length);
    }
    const n = w.shaCtxFinal(this.ctx, this.small);
    return this.mem.bytes.slice(this.small, this.small + n);
  }

  /** AES-CBC encryption without padding (data length a multiple of 16), RFC 3602 / SP 800-38A. */
  aesCbcEncrypt(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array {
    return this.cbc(key, iv, data, true);
  }
  /** AES-CBC decryption without padding removal (data length a multiple of 16). */
  aesCbcDecrypt(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array {
    return this.cbc(key, iv, data, false);
  }

  private cbc(key: Uint8Array, iv: Uint8Array, data: Uint8Array, enc: boolean): Uint8Array {
    if (data.length % 16 !== 0) throw new RangeError("AES-CBC data length must be a multiple of 16");
    if (iv.length !== 16) throw new RangeError("AES-CBC IV must be 16 bytes");
    this.setKey(key, false);
    this.ensure(data.length);
    const m = this.mem.bytes;
    m.set(iv, this.small);
    m.set(data, this.io);
    if (enc) this.wasm.aesCbcEncrypt(this.aes, this.small, this.io, data.length);
    else this.wasm.aesCbcDecrypt(this.aes, this.small, this.io, data.length);
    return this.out(data.length);
  }

  /** AES-GCM with a 12-byte nonce: returns ciphertext || 16-byte tag (SP 800-38D). */
  aesGcmSeal(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, data: Uint8Array): Uint8Array {
    if (nonce.length !== 12) throw new RangeError("AES-GCM nonce must be 12 bytes");
    this.setKey(key, true);
    this.ensure(aad.length + data.length + 16);
    const m = this.mem.bytes;
    const p = this.io + aad.length;
    m.set(nonce, this.small);
    m.set(aad, this.io);
    m.set(data, p);
    this.wasm.aesGcmSeal(this.aes, this.small, this.io, aad.length, p, data.length, p + data.length);
    return this.mem.bytes.slice(p, p + data.length + 16);
  }

  /** Verifies and decrypts ciphertext || tag; null when the tag does not verify. */
  aesGcmOpen(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, sealed: Uint8Array): Uint8Array | null {
    if (nonce.length !== 12) throw new RangeError("AES-GCM nonce must be 12 bytes");
    if (sealed.length < 16) return null;
    this.setKey(key, true);
    this.ensure(aad.length + sealed.length);
    const m = this.mem.bytes;
    const p = this.io + aad.length;
    const n = sealed.length - 16;
    m.set(nonce, this.small);
    m.set(aad, this.io);
    m.set(sealed, p);
    const ok = this.wasm.aesGcmOpen(this.aes, this.small, this.io, aad.length, p, n, p + n, 16);
    return ok ? this.mem.bytes.slice(p, p + n) : null;
  }

  private setKey(key: Uint8Array, gcm: boolean): void {
    if (key.length !== 16 && key.length !== 24 && key.length !== 32) throw new RangeError("AES key must be 16, 24 or 32 bytes");
    this.mem.bytes.set(key, this.small + 64);
    this.wasm.aesCtxInit(this.aes, this.small + 64, key.length, gcm ? 1 : 0);
    this.mem.bytes.fill(0, this.small + 64, this.small + 96);
  }

  private out(len: number): Uint8Array {
    const r = this.mem.bytes.slice(this.io, this.io + len);
    this.mem.bytes.fill(0, this.io, this.io + len);
    return r;
  }

  private ensure(len: number): void {
    if (len <= this.ioCap) return;
    this.ioCap = Math.max(len, this.ioCap * 2);
    this.io = this.wasm.cryptoAlloc(this.ioCap);
  }
}

let shared: WasmCrypto | undefined;

/** The module-level helpers use this instance; call first where loadWasmSync is not allowed. */
export function useCryptoExports(exports: HipmmExports): WasmCrypto {
  shared = new WasmCrypto(exports);
  return shared;
}

/** The shared WasmCrypto (instantiated synchronously on first use). */
export function wasmCrypto(): WasmCrypto {
  if (shared === undefined) shared = new WasmCrypto(loadWasmSync());
  return shared;
}

/** SHA-1 on the shared {@link WasmCrypto}. */
export const sha1 = (data: Uint8Array): Uint8Array => wasmCrypto().sha1(data);
/** SHA-256 on the shared {@link WasmCrypto}. */
export const sha256 = (data: Uint8Array): Uint8Array => wasmCrypto().sha256(data);
/** HMAC-SHA1 on the shared {@link WasmCrypto}. */
export const hmacSha1 = (key: Uint8Array, data: Uint8Array): Uint8Array => wasmCrypto().hmacSha1(key, data);
/** HMAC-SHA256 on the shared {@link WasmCrypto}. */
export const hmacSha256 = (key: Uint8Array, data: Uint8Array): Uint8Array => wasmCrypto().hmacSha256(key, data);
