// The embedded copy of build/hipmm.wasm (base64 in binary.gen.ts, ~130 kB of source). Only
// src/wasm/loader.ts imports this file, and only entry points that need a default module import
// the loader: a hipmm/worker bundle (workerd binds the module instead) stays without it.
import { wasmBase64 } from "./binary.gen.ts";

let cachedBytes: Uint8Array | undefined;

/** The module's bytes, decoded once from the embedded base64. */
export function wasmBytes(): Uint8Array {
  if (cachedBytes === undefined) cachedBytes = decodeBase64(wasmBase64);
  return cachedBytes;
}

function decodeBase64(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}
