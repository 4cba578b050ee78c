// Instantiating build/hipmm.wasm from a source the caller gives: no embedded copy here, so a
// bundle whose entry passes its own module (hipmm/worker: workerd's `wasm` module binding)
// carries no base64 WASM. When no source is given, the default that an entry point registered
// is used (src/wasm/loader.ts registers the embedded bytes: hipmm/node, hipmm/deno,
// hipmm/browser, the ESP Worker script and the layer entries do; hipmm/worker does not).

/** Raw exports of build/hipmm.wasm. Each layer narrows this to the functions it uses. */
export type HipmmExports = WebAssembly.Exports & {
  /** The module's linear memory. */
  readonly memory: WebAssembly.Memory;
  /** ABI version number of the module. */
  readonly abiVersion: () => number;
};

/** A compiled module (workerd's `wasm` binding, a cached compile) or the module's bytes. */
export type WasmSource = WebAssembly.Module | BufferSource;

let defaultSource: (() => WasmSource) | undefined;

/** Sets what loadWasm()/loadWasmSync() without a source use (src/wasm/loader.ts: the embedded bytes). */
export function setDefaultWasm(source: () => WasmSource): void {
  defaultSource = source;
}

/** Whether a default is registered (false in a hipmm/worker bundle until the caller passes one). */
export function hasDefaultWasm(): boolean {
  return defaultSource !== undefined;
}

/** The registered default source; throws, naming the fix, when the entry point embeds none. */
export function defaultWasm(): WasmSource {
  if (defaultSource === undefined) {
    throw new Error(
      "hipmm: no WASM module given and this entry point embeds none: in workerd pass the `wasm` module binding of hipmm/hipmm.wasm " +
        "(workerTunnel({ wasm }) / startEdgeHost({ wasm })); elsewhere import hipmm/node, hipmm/deno or hipmm/browser, or call useEmbeddedWasm() from hipmm/wasm",
    );
  }
  return defaultSource();
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
  const src = source ?? defaultWasm();
  const mod = src instanceof WebAssembly.Module ? src : await WebAssembly.compile(toBytes(src));
  return start((await WebAssembly.instantiate(mod, imports)).exports as HipmmExports);
}

/** Instantiate synchronously (Node, Deno, workers; not a browser main thread for large modules). */
export function loadWasmSync(source?: WasmSource): HipmmExports {
  const src = source ?? defaultWasm();
  const mod = src instanceof WebAssembly.Module ? src : new WebAssembly.Module(toBytes(src));
  return start(new WebAssembly.Instance(mod, imports).exports as HipmmExports);
}

/** Runs AssemblyScript's top-level initialisers (built with `--exportStart _initialize`). */
function start(exports: HipmmExports): HipmmExports {
  const init = exports._initialize;
  if (typeof init === "function") (init as () => void)();
  return exports;
}

function toBytes(b: BufferSource): Uint8Array<ArrayBuffer> {
  if (b instanceof Uint8Array) return b as Uint8Array<ArrayBuffer>;
  if (ArrayBuffer.isView(b)) return new Uint8Array(b.buffer as ArrayBuffer, b.byteOffset, b.byteLength);
  return new Uint8Array(b as ArrayBuffer);
}
