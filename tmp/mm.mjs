const sab = new SharedArrayBuffer(65536), ab = new ArrayBuffer(65536);
const dst = new Uint8Array(8192);
function bench(name, src, off, dOff) {
  const N = 200000; const view = new Uint8Array(src, off, 1400);
  for (let i = 0; i < 1000; i++) dst.set(view, dOff);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) dst.set(view, dOff);
  console.log(name, off, dOff, Number(process.hrtime.bigint() - t0) / N, "ns");
}
for (const [o, d] of [[0,0],[8,0],[4,0],[1,0],[3,5]]) { bench("sab->ab", sab, o, d); bench("ab->ab ", ab, o, d); }
// into SAB
const dsts = new Uint8Array(sab, 32768, 8192);
for (const [o, d] of [[0,0],[1,0]]) { const v = new Uint8Array(ab, o, 1400); const t0 = process.hrtime.bigint(); for (let i = 0; i < 200000; i++) dsts.set(v, d); console.log("ab->sab", o, d, Number(process.hrtime.bigint() - t0)/200000, "ns"); }
