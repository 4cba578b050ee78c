// The embedded copies of build/hipmm.wasm and build/hipmm-relaxed.wasm (base64 in
// binary.gen.ts). Only src/wasm/loader.ts imports this file, and only entry points that need a
// default module import the loader: a hipmm/worker bundle (workerd binds the module instead)
// stays without it.
// Which one: the relaxed-SIMD build wherever the runtime validates relaxed SIMD (V8 ≥ 11.4:
// Node ≥ 22, Deno 2, Chromium ≥ 114, workerd; Node 20 after src/wasm/node-features.ts turns its
// flag on), else the SIMD build. Both compute the same bytes (test/esp/vectors.test.ts runs the
// published vectors on each); the relaxed one does AES table lookups faster on x86.
// `HIPMM_WASM=simd` in the environment (where there is one) keeps the SIMD build.
import { wasmBase64, wasmRelaxedBase64 } from "./binary.gen.ts";

/** The two builds of the module. */
export type WasmVariant = "simd" | "relaxed-simd";

const cached: Partial<Record<WasmVariant, Uint8Array>> = {};
let chosen: WasmVariant | undefined;

/**
 * The smallest module using relaxed SIMD: (func (param v128 v128) (result v128)
 * (i8x16.relaxed_swizzle (local.get 0) (local.get 1))).
 */
const RELAXED_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x07, 0x01, 0x60, 0x02, 0x7b, 0x7b, 0x01, 0x7b, 0x03, 0x02, 0x01, 0x00, 0x0a,
  0x0b, 0x01, 0x09, 0x00, 0x20, 0x00, 0x20, 0x01, 0xfd, 0x80, 0x02, 0x0b,
]);

/** Whether this runtime compiles relaxed SIMD now (asked each call: a flag may turn it on). */
export function relaxedSimdSupported(): boolean {
  try {
    return WebAssembly.validate(RELAXED_PROBE);
  } catch {
    return false;
  }
}

/** The build the embedded default uses, decided at its first use and kept. */
export function wasmVariant(): WasmVariant {
  if (chosen === undefined) chosen = envWasm() !== "simd" && relaxedSimdSupported() ? "relaxed-simd" : "simd";
  return chosen;
}

/** HIPMM_WASM where an environment is readable (Deno without --allow-env throws: none). */
function envWasm(): string | undefined {
  try {
    return (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.HIPMM_WASM;
  } catch {
    return undefined;
  }
}

/** The module's bytes (default: the build `wasmVariant()` chose), decoded once. */
export function wasmBytes(variant: WasmVariant = wasmVariant()): Uint8Array {
  let b = cached[variant];
  if (b === undefined) b = cached[variant] = decodeBase64(variant === "simd" ? wasmBase64 : wasmRelaxedBase64);
  return b;
}

function decodeBase64(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}
