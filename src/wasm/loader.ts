// One loader for every runtime: Node, Deno, a Vite-built page, a Web Worker and workerd.
// workerd forbids compiling WASM from bytes at run time, so there the caller passes the
// WebAssembly.Module its bundler/config imported; everywhere else the embedded bytes are used.
import { wasmBase64 } from "./binary.gen.ts";

/** Raw exports of build/hipmm.wasm. Each layer narrows this to the functions it uses. */
export type HipmmExports = WebAssembly.Exports & {
  /** The module's linear memory. */
  readonly memory: WebAssembly.Memory;
  /** ABI version number of the module. */
  readonly abiVersion: () => number;
};

/** Where the module comes from: a compiled Module, or its bytes. */
export type WasmSource = WebAssembly.Module | BufferSource;

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

const imports: WebAssembly.Imports = {
  env: {
    abort: () => {
      throw new Error("hipmm wasm abort");
    },
  },
};

/** Instantiate asynchronously (works in every runtime, including browser main threads). */
export async function loadWasm(source?: WasmSource): Promise<HipmmExports> {
  const mod = source instanceof WebAssembly.Module ? source : await WebAssembly.compile(toBytes(source));
  return start((await WebAssembly.instantiate(mod, imports)).exports as HipmmExports);
}

/** Instantiate synchronously (Node, Deno, workers; not a browser main thread for large modules). */
export function loadWasmSync(source?: WasmSource): HipmmExports {
  const mod = source instanceof WebAssembly.Module ? source : new WebAssembly.Module(toBytes(source));
  return start(new WebAssembly.Instance(mod, imports).exports as HipmmExports);
}

/** Runs AssemblyScript's top-level initialisers (built with `--exportStart _initialize`). */
function start(exports: HipmmExports): HipmmExports {
  const init = exports._initialize;
  if (typeof init === "function") (init as () => void)();
  return exports;
}

function toBytes(source: BufferSource | undefined): Uint8Array<ArrayBuffer> {
  const b = source ?? wasmBytes();
  if (b instanceof Uint8Array) return b as Uint8Array<ArrayBuffer>;
  if (ArrayBuffer.isView(b)) return new Uint8Array(b.buffer as ArrayBuffer, b.byteOffset, b.byteLength);
  return new Uint8Array(b as ArrayBuffer);
}
