// Node only: V8 11.3 (Node 20) implements relaxed SIMD but ships it behind a flag (on by default
// from V8 11.4, Node 22). Turned on here, before the first module is compiled, so the embedded
// default is the relaxed-SIMD build (src/wasm/embedded.ts). The flag is process-wide: ESP Worker
// threads see it too. It only adds the relaxed-SIMD opcodes to what validates; `HIPMM_WASM=simd`
// leaves it off. Imported first by the Node entry points (src/runtime/node.ts, src/entry/node.ts).
import { setFlagsFromString } from "node:v8";
import { relaxedSimdSupported } from "./embedded.ts";

if (process.env.HIPMM_WASM !== "simd" && !relaxedSimdSupported() && /^11\.3\./.test(process.versions.v8)) {
  setFlagsFromString("--experimental-wasm-relaxed-simd");
}
