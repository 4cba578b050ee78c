// Run by worker.test.ts under Deno: `deno run -A test/esp/deno-smoke.ts [src|dist]`. Starts the
// ESP Worker (a Deno module Worker), seals/opens a batch in it and in-process, prints JSON.
const which = (globalThis as { Deno?: { args: string[] } }).Deno?.args[0] ?? "src";
const base = which === "dist" ? "../../dist/esp/" : "../../src/esp/";
const { WorkerDataPlane } = (await import(`${base}remote.${which === "dist" ? "js" : "ts"}`)) as typeof import("../../src/esp/remote.ts");
const { DataPlane } = (await import(`${base}dataplane.${which === "dist" ? "js" : "ts"}`)) as typeof import("../../src/esp/dataplane.ts");
const { EspBatch } = (await import(`${base}espbatch.${which === "dist" ? "js" : "ts"}`)) as typeof import("../../src/esp/espbatch.ts");
// The embedded module as the default of `new DataPlane()` (what the hipmm/esp entry does on load).
const { useEmbeddedWasm } = (await import(`${base}../wasm/loader.${which === "dist" ? "js" : "ts"}`)) as typeof import("../../src/wasm/loader.ts");
useEmbeddedWasm();

const sa = {
  spi: 0x4242,
  suite: 13 as const,
  encKey: new Uint8Array(20).fill(3),
  authKey: new Uint8Array(0),
  ivSeed: new Uint8Array(16).fill(4),
};
const w = await WorkerDataPlane.create();
const local = new DataPlane();
const wo = await w.installSa({ ...sa, direction: "out" });
await w.installSa({ ...sa, direction: "in" });
const lo = local.installSa({ ...sa, direction: "out" });
const payloads = [new Uint8Array([1, 2, 3]), new Uint8Array(1400).fill(7)];
const sealed = await w.sealBatch(payloads.map((payload) => ({ handle: wo, nextHeader: 17, payload })));
const same = sealed.every((r, i) => {
  const mine = local.seal(lo, 17, payloads[i]);
  return mine.length === r.packet.length && mine.every((b, k) => b === r.packet[k]);
});
const opened = await w.openBatch(sealed.map((r) => r.packet));
// EspBatches through process() (the shared-memory ring in Deno), 20 in flight.
const xs = Array.from({ length: 20 }, () => {
  const x = new EspBatch();
  for (let k = 0; k < 64; k++) x.addSeal(wo, 17, payloads[k & 1]);
  return x;
});
await Promise.all(xs.map((x) => w.process("seal", x)));
const inOrder = xs.every((x, n) => x.ok === 64 && x.seq(0) === 3 + n * 64);
console.log(
  JSON.stringify({
    which, same, statuses: opened.map((r) => r.status), lens: opened.map((r) => r.payload.length),
    mode: (w as { mode?: string }).mode ?? "transfer", inOrder,
  }),
);
await w.close();
