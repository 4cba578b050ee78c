import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";
if (isMainThread) {
  for (const kind of ["full", "nosab", "small", "full", "small"]) {
    const w = new Worker(new URL(import.meta.url), { workerData: kind });
    let n = 0;
    await new Promise((res) => {
      w.on("message", (m) => { if (m === "done") res(); else n++; });
    });
    const r = await new Promise((res) => { w.once("message", res); });
    console.log(kind, n, r);
    await w.terminate();
  }
} else {
  const kind = workerData;
  const sab = new SharedArrayBuffer(65536);
  const meta = [];
  for (let i = 0; i < 108; i++) meta.push(i);
  const N = 20000;
  const t0 = performance.now(), c0 = process.cpuUsage();
  let i = 0;
  await new Promise((res) => {
    const step = () => {
      for (let j = 0; j < 10 && i < N; j++, i++) {
        if (kind === "full") parentPort.postMessage({ t: "opened", k: 3, buf: sab, n: 27, meta: Int32Array.from(meta), ips: ["127.0.0.1"] });
        else if (kind === "nosab") parentPort.postMessage({ t: "opened", k: 3, n: 27, meta: Int32Array.from(meta), ips: ["127.0.0.1"] });
        else parentPort.postMessage({ t: "opened", k: 3, n: 27 });
      }
      if (i < N) setImmediate(step); else res();
    };
    step();
  });
  const cu = process.cpuUsage(c0);
  parentPort.postMessage("done");
  parentPort.postMessage({ usPerPost: (performance.now() - t0) * 1000 / N, cpuUsPerPost: (cu.user + cu.system) / N });
}
