// The one WASM loader in Node: embedded bytes, explicit bytes, a precompiled Module, and dist/.
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { test } from "node:test";
import { detectRuntime, runtimeInfo } from "../../src/runtime/detect.ts";
import { loadWasm, loadWasmSync, wasmBytes } from "../../src/wasm/loader.ts";
import { PROBE_TLVS, probe } from "../../web/loader-check/probe.ts";
import { repoRoot } from "../helpers/deno.ts";

test("node: loadWasmSync() and loadWasm() instantiate the embedded module", async () => {
  const sync = loadWasmSync();
  const asyncExports = await loadWasm();
  const abi = sync.abiVersion();
  assert.ok(Number.isInteger(abi) && abi >= 1, `abiVersion() = ${abi}`);
  assert.equal(asyncExports.abiVersion(), abi);
  assert.ok(sync.memory instanceof WebAssembly.Memory);
  assert.ok(sync.memory.buffer.byteLength >= 65536);
  assert.deepEqual(Object.keys(asyncExports).sort(), Object.keys(sync).sort());
  // Separate instances: separate linear memories.
  assert.notEqual(sync.memory, asyncExports.memory);
});

test("node: the loader accepts a precompiled Module and any BufferSource", async () => {
  const abi = loadWasmSync().abiVersion();
  const bytes = wasmBytes();
  const mod = new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>);
  assert.equal(loadWasmSync(mod).abiVersion(), abi);
  assert.equal((await loadWasm(mod)).abiVersion(), abi);
  const padded = new Uint8Array(bytes.length + 8);
  padded.set(bytes, 3);
  assert.equal(loadWasmSync(padded.subarray(3, 3 + bytes.length)).abiVersion(), abi);
  assert.equal((await loadWasm(bytes.slice().buffer)).abiVersion(), abi);
  assert.equal(loadWasmSync(new DataView(padded.buffer, 3, bytes.length)).abiVersion(), abi);
  assert.throws(() => loadWasmSync(new Uint8Array([0, 1, 2, 3])), WebAssembly.CompileError);
});

test("node: embedded bytes equal build/hipmm.wasm and build/hipmm-relaxed.wasm (what workerd embeds)", () => {
  for (const [name, variant] of [["hipmm.wasm", "simd"], ["hipmm-relaxed.wasm", "relaxed-simd"]] as const) {
    const file = join(repoRoot, "build", name);
    assert.ok(existsSync(file), `build/${name} missing: run npm run build:wasm`);
    assert.deepEqual(new Uint8Array(readFileSync(file)), wasmBytes(variant));
  }
});

test("node: the built package's hipmm/wasm entry (dist/entry/wasm.js) loads the module", async () => {
  const dist = join(repoRoot, "dist", "entry", "wasm.js");
  assert.ok(existsSync(dist), "dist/entry/wasm.js missing: run npm run build");
  const pkg = (await import(pathToFileURL(dist).href)) as typeof import("../../src/entry/wasm.ts");
  assert.equal(pkg.loadWasmSync().abiVersion(), loadWasmSync().abiVersion());
});

test("node: runtimeInfo() says node with UDP; detectRuntime() on fake globals", () => {
  const info = runtimeInfo();
  assert.equal(info.runtime, "node");
  assert.equal(info.udp, true);
  assert.equal(detectRuntime({ Deno: { version: { deno: "2.9.6" } }, process: { versions: { node: "20" } } }), "deno");
  assert.equal(detectRuntime({ navigator: { userAgent: "Cloudflare-Workers" } }), "workerd");
  assert.equal(detectRuntime({ window: {}, document: {} }), "browser");
  assert.equal(detectRuntime({}), "unknown");
  assert.equal(runtimeInfo({ Deno: { version: { deno: "2" } } }).udp, false);
  assert.equal(runtimeInfo({ Deno: { version: { deno: "2" }, listenDatagram: () => {} } }).udp, true);
});

test("node: the shared probe walks three TLVs with the WASM parameter walk", (t) => {
  const p = probe(loadWasmSync());
  if (p.walk === "absent") {
    t.skip("module exports no walkParams yet");
    return;
  }
  // (type, offset, length) per TLV; RFC 7401 §5.2.1 padding to 8 bytes.
  assert.deepEqual(p.walk, { count: 3, entries: [[1, 0, 4], [65, 8, 3], [193, 16, 12]] });
  assert.equal(PROBE_TLVS.length, 32);
});
