// A peer that restarts (SIGKILL: no CLOSE, all state lost) comes back at the same address with
// the same identity: real `hipmm host` processes on loopback. A keeps its association and keeps
// sending; its liveness check reaches B2, which has no association and rejoins (an I1 to A's
// HIT, HipHostConfig.rejoin); A replaces its association and lines flow again. And `--connect`
// associates again on demand: a line that finds no association (peer not up yet, closed) starts
// a new base exchange.
import assert from "node:assert/strict";
import { test } from "node:test";
import { withCliWorld } from "../helpers/cli-world.ts";
import { freeUdpPort } from "../helpers/net.ts";
import type { Proc } from "../helpers/proc.ts";

/** A associates with B, a line gets through, then B is killed (no CLOSE, every state lost). */
async function connectThenKill(a: Proc, b: Proc): Promise<void> {
  await a.waitFor("err", /established /);
  a.child.stdin.write("before\n");
  await b.waitFor("out", /^before\n/);
  b.child.kill("SIGKILL");
  await b.exited;
}

/** A writes a line every 250 ms (for at most 20 s) until `to` printed one of them. */
async function sendUntilHeard(a: Proc, to: Proc, context: string): Promise<void> {
  const end = Date.now() + 20_000;
  for (let i = 0; !/after \d+\n/.test(to.out) && Date.now() < end; i++) {
    a.child.stdin.write(`after ${i}\n`);
    await new Promise((r) => setTimeout(r, 250));
  }
  assert.match(to.out, /after \d+\n/, `B2 got data again:\nA: ${a.err}\nB2: ${to.err}${context}`);
}

/** B's arguments: a fixed port (it comes back there), stdin not read, one line per datagram. */
const serverArgs = (key: string, port: number) => ["host", "--id", key, "--listen", `127.0.0.1:${port}`, "--k", "2", "--no-watch", "--no-stdin", "--output", "lines"];

test("hipmm host: the peer is killed and restarted; it rejoins and data flows again without anyone reconnecting", { timeout: 90_000 }, () =>
  withCliWorld(["a", "b"], async ({ keys, hits, hipmm }) => {
    const port = await freeUdpPort();
    const b = hipmm(serverArgs(keys[1], port));
    await b.waitFor("err", /listening on/);
    const a = hipmm(["host", "--id", keys[0], "--listen", "127.0.0.1:0", "--no-watch", "--connect", `${hits[1]}@127.0.0.1:${port}`]);
    await connectThenKill(a, b);
    const b2 = hipmm(serverArgs(keys[1], port));
    await b2.waitFor("err", /listening on/);
    // A does not know: it sends on (into SAs B2 never had) until B2 rejoins.
    await sendUntilHeard(a, b2, "");
    assert.match(b2.err, new RegExp(`established ${hits[0]}`), "B2 ran a base exchange with A");
    // A answered B2's exchange (RFC 7401 §4.4.2: I2 in ESTABLISHED replaces the association).
    await a.waitFor("err", /established [\s\S]*established /);
    assert.doesNotMatch(a.err, /failed/);
    a.child.stdin.end();
    assert.equal(await a.exited, 0);
    b2.child.kill("SIGTERM");
    assert.equal(await b2.exited, 0);
  }),
);

test("hipmm host --connect: a line typed after the exchange timed out, or after the peer closed, associates again", { timeout: 90_000 }, () =>
  withCliWorld(["a", "b"], async ({ keys, hits, hipmm }) => {
    const port = await freeUdpPort();
    // A first: nobody answers, the exchange times out (I1 at 100, 200, 400, 800, 1600 ms).
    const a = hipmm(["host", "--id", keys[0], "--listen", "127.0.0.1:0", "--no-watch", "--rto-ms", "100", "--connect", `${hits[1]}@127.0.0.1:${port}`]);
    a.child.stdin.write("held\n");
    // While a line waits, a failed exchange is tried again after a second (and a typed line
    // starts one at once).
    await a.waitFor("err", /base exchange [^\n]*\(1 line\(s\) held; trying again in 1 s\)/);
    const b = hipmm(serverArgs(keys[1], port));
    await b.waitFor("err", /listening on/);
    a.child.stdin.write("late\n");
    await b.waitFor("out", /held\nlate\n/);
    // B closes (CLOSE / CLOSE_ACK) and comes back: A's next line runs a new exchange.
    b.child.kill("SIGTERM");
    assert.equal(await b.exited, 0);
    await a.waitFor("err", /closed \(peer\)/);
    const b2 = hipmm(serverArgs(keys[1], port));
    await b2.waitFor("err", /listening on/);
    a.child.stdin.write("again\n");
    await b2.waitFor("out", /again\n/);
    assert.equal(a.err.match(/established /g)?.length, 2, a.err);
    a.child.stdin.end();
    assert.equal(await a.exited, 0);
  }),
);

test("hipmm host --fa --privacy behind hipmm fa is killed and restarted: it leases again (newer FAQ Request ID), the FA passes HIP for its HIT to the new lease, it rejoins its peer through the FA", { timeout: 90_000 }, () =>
  withCliWorld(["a", "b", "fa"], async ({ keys, hits, hipmm }) => {
    const faPort = await freeUdpPort();
    const fa = hipmm(["fa", "--id", keys[2], "--udp", `127.0.0.1:${faPort}`, "--puzzle", "off", "--log", "json"]);
    await fa.waitFor("out", /fa ready/);
    const bArgs = ["host", "--id", keys[1], "--listen", "127.0.0.1:0", "--k", "2", "--no-watch", "--no-stdin", "--output", "lines", "--fa", `127.0.0.1:${faPort}`, "--privacy"];
    const b = hipmm(bArgs);
    await b.waitFor("err", /leased /);
    const a = hipmm(["host", "--id", keys[0], "--listen", "127.0.0.1:0", "--no-watch", "--connect", `${hits[1]}@127.0.0.1:${faPort}`]);
    await connectThenKill(a, b);
    const b2 = hipmm(bArgs);
    // Its old lease is still held (the FA only learns later that its holder is gone).
    await b2.waitFor("err", /leased 127\.0\.0\.1:\d+ from FA/, 10_000);
    await sendUntilHeard(a, b2, `\nFA: ${fa.out.slice(-2000)}`);
    // Location privacy holds: A still reaches B at the FA's locator only.
    await a.waitFor("err", /established [\s\S]*established /);
    assert.doesNotMatch(a.err, new RegExp(`established ${hits[1]} at 127\\.0\\.0\\.1:(?!${faPort}\\b)`));
    a.child.stdin.end();
    assert.equal(await a.exited, 0);
  }),
);
