// The worker-io Worker's socket half (src/runtime/io-worker.ts), driven directly on this thread:
// sealed packets leave in batch order even when the ring batch outruns the "dest" message that
// names their destination (both are posted by the main thread, on two channels): they wait for it
// instead of going back to the main thread, where later packets would overtake them.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Locator, Transmit } from "../../src/core/types.ts";
import { DataPlane } from "../../src/esp/dataplane.ts";
import { EspBatch } from "../../src/esp/espbatch.ts";
import type { EspWorkerContext } from "../../src/esp/worker.ts";
import { EspSuite } from "../../src/esp/types.ts";
import { IoWorker } from "../../src/runtime/io-worker.ts";
import type { IoToMain, IoToWorker } from "../../src/runtime/worker-io.ts";
import type { DatagramSocket } from "../../src/transport/types.ts";
import { bytes, saPair } from "../esp/helpers.ts";
import "../../src/wasm/loader.ts";

const tick = () => new Promise((r) => setTimeout(r, 5));
/** Waits (bounded: 2 s) until `cond` holds. */
async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !cond(); i++) await tick();
}

test("io-worker: packets whose destination is announced after their ring batch wait for it, then leave in order; none go back", async () => {
  const dp = new DataPlane();
  const [o] = saPair(EspSuite.AES_GCM16, 0x7200, 9);
  const h = dp.installSa(o);
  const ctx: EspWorkerContext = { plane: () => dp, afterBatch: undefined };
  const sent: Transmit[] = [];
  const sock: DatagramSocket = {
    local: { ip: "127.0.0.1", port: 4000 },
    sendErrors: 0,
    sendErrorCodes: {},
    send: (t: Transmit) => void sent.push(t),
    onDatagram: () => {},
    close: async () => {},
  } as unknown as DatagramSocket;
  const ch = new MessageChannel();
  const fromWorker: IoToMain[] = [];
  ch.port2.onmessage = (ev: MessageEvent<IoToMain>) => void fromWorker.push(ev.data);
  new IoWorker(ctx, ch.port1 as unknown as MessagePort, { bind: async () => sock, soon: (f) => setImmediate(f) });
  const post = (m: IoToWorker) => ch.port2.postMessage(m);
  try {
    post({ t: "bind", req: 1, ip: "127.0.0.1", port: 0 });
    const table = new Int32Array(new SharedArrayBuffer(4 * 8));
    post({ t: "table", buf: 7, table: table.buffer as SharedArrayBuffer });
    await until(() => fromWorker.some((m) => m.t === "bound"));
    await tick(); // the table message, posted after the bind, is in too
    const sockId = (fromWorker.find((m) => m.t === "bound") as { sock: number }).sock;
    const to: Locator = { ip: "127.0.0.1", port: 5555 };
    const batch = (payloads: number[]) => {
      const b = new EspBatch({ maxPackets: 8, shared: true });
      for (const p of payloads) b.addSeal(h, 17, bytes(20, p));
      dp.runBatch("seal", b.bytes, b.count, b.size);
      return b;
    };
    // Batch 1 names destination 1, whose "dest" message has not arrived yet.
    const b1 = batch([1, 2]);
    table.fill(1, 0, 2);
    ctx.afterBatch?.("seal", 7, b1.bytes, 2);
    assert.equal(sent.length, 0, "nothing sent before the destination is known");
    assert.deepEqual([...table.subarray(0, 2)], [1, 1], "nothing goes back to the main thread");
    // Batch 2 for the same destination runs before the message too: it queues behind.
    const b2 = batch([3]);
    table[0] = 1;
    ctx.afterBatch?.("seal", 7, b2.bytes, 1);
    assert.equal(sent.length, 0);
    post({ t: "dest", id: 1, sock: sockId, to });
    await until(() => sent.length >= 3);
    const seqs = sent.map((t) => new DataView(t.data.buffer, t.data.byteOffset).getUint32(4));
    assert.deepEqual(seqs, [1, 2, 3], "sent in batch order once the destination arrived");
    assert.ok(sent.every((t) => t.to.port === 5555));
    // A known destination: sent at once.
    const b3 = batch([4]);
    table[0] = 1;
    ctx.afterBatch?.("seal", 7, b3.bytes, 1);
    assert.equal(sent.length, 4);
    // A destination whose socket is not here: the packet goes back to the main thread.
    const b4 = batch([5]);
    post({ t: "dest", id: 3, sock: 99, to }); // socket 99 does not exist
    await tick();
    table[0] = 3;
    ctx.afterBatch?.("seal", 7, b4.bytes, 1);
    assert.equal(table[0], 0, "no such socket: the packet goes back");
    assert.equal(sent.length, 4);
  } finally {
    ch.port1.close();
    ch.port2.close();
  }
});
