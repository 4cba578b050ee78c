import assert from "node:assert/strict";
import { test } from "node:test";
import { EndpointDriver } from "../../src/runtime/driver.ts";
import { SocketSet } from "../../src/transport/socket-set.ts";
import { bindNodeUdp } from "../../src/transport/udp-node.ts";
import { Echo, Pinger } from "../sim/endpoints.ts";

test("endpoint driver runs sans-I/O endpoints over real UDP with a real timer", async () => {
  const sa = await bindNodeUdp("127.0.0.1", 0);
  const sb = await bindNodeUdp("127.0.0.1", 0);
  const t0 = performance.now();
  const pinger = new Pinger(sb.local, 10, 5, 0);
  const echo = new Echo();
  const clock = () => performance.now() - t0;
  const da = new EndpointDriver(pinger, new SocketSet([sa]), clock);
  const db = new EndpointDriver(echo, new SocketSet([sb]), clock);
  try {
    da.flush(); // arm the pinger's first timer
    const deadline = Date.now() + 3000;
    while (pinger.got.length < 10 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    assert.equal(pinger.got.length, 10);
    assert.deepEqual(pinger.got.map(([, s]) => s).sort((x, y) => x - y), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // Sent on the 5 ms schedule: the last echo cannot arrive before 45 ms of clock time.
    assert.ok(Math.max(...pinger.got.map(([t]) => t)) >= 45);
    assert.equal(da.transmitted, 10);
    assert.equal(echo.received, 10);
  } finally {
    await Promise.all([da.close(), db.close()]);
  }
});
