import { Buffer } from "node:buffer";
const sab = new SharedArrayBuffer(1 << 20), ab = new ArrayBuffer(1 << 20);
const wasm = new Uint8Array(new WebAssembly.Memory({ initial: 32 }).buffer);
for (const size of [1400, 90000]) {
  const N = size > 10000 ? 20000 : 200000;
  const t = (name, f) => { for (let i = 0; i < 1000; i++) f(); const t0 = process.hrtime.bigint(); for (let i = 0; i < N; i++) f(); console.log(size, name, (Number(process.hrtime.bigint() - t0) / N).toFixed(1), "ns"); };
  const sv = new Uint8Array(sab, 0, size), av = new Uint8Array(ab, 0, size);
  const sb = Buffer.from(sab, 0, size), wb = Buffer.from(wasm.buffer, 0, size);
  t("set sab->wasm", () => wasm.set(sv, 0));
  t("set ab->wasm ", () => wasm.set(av, 0));
  t("Buffer.copy sab->wasm", () => sb.copy(wb, 0));
  t("set wasm->sab", () => sv.set(wasm.subarray(0, size)));
  t("Buffer.copy wasm->sab", () => wb.copy(sb, 0));
}
