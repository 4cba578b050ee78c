// `hipmm host` stdin lines (src/cli/host-lines.ts): lines wait in order while there is no
// association or the Worker's queue is full; when 1024 wait, stdin pauses instead of dropping the
// oldest; a line too long for one datagram is said and skipped. Then two real `hipmm host`
// processes: 3000 lines piped into A before its peer is up all leave A (its final stats line).
import assert from "node:assert/strict";
import { createSocket } from "node:dgram";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { LineSender, type LineSendResult } from "../../src/cli/host-lines.ts";
import { MAX_DATAGRAM } from "../../src/runtime/stack.ts";
import { withCliWorld } from "../helpers/cli-world.ts";

function rig(maxHeld = 4) {
  let state: LineSendResult = "no-association";
  const sent: string[] = [];
  const log: string[] = [];
  let paused = false;
  let associations = 0;
  const dec = new TextDecoder();
  const lines = new LineSender(
    {
      send: (data) => {
        if (data.length > MAX_DATAGRAM) return "too-big";
        if (state === "sent") sent.push(dec.decode(data));
        return state;
      },
      associate: () => void associations++,
      pause: () => {
        paused = true;
      },
      resume: () => {
        paused = false;
      },
      log: (l) => void log.push(l),
    },
    maxHeld,
  );
  return {
    lines,
    sent,
    log,
    paused: () => paused,
    associations: () => associations,
    set: (s: LineSendResult) => {
      state = s;
    },
  };
}

test("no association: lines wait in order; at maxHeld stdin pauses and nothing is dropped", () => {
  const r = rig(4);
  r.lines.input("1\n2\n3\n4\n5\n6\n7");
  assert.equal(r.lines.held, 4);
  assert.equal(r.paused(), true, "paused at 4 waiting lines");
  assert.ok(r.associations() >= 1, "a base exchange was asked for");
  r.set("sent");
  r.lines.flush(); // the association is up
  assert.deepEqual(r.sent, ["1\n", "2\n", "3\n", "4\n", "5\n", "6\n"]);
  assert.equal(r.paused(), false, "stdin is read again");
  r.lines.input("\n8\n");
  r.lines.end();
  assert.deepEqual(r.sent.slice(6), ["7\n", "8\n"]);
  assert.deepEqual(r.log, []);
});

test("stdin ends while paused: the buffered lines still go, in order, the last without its newline", () => {
  const r = rig(2);
  r.lines.input("1\n2\n3\n4\n5");
  r.lines.end(); // EOF came with the chunk
  assert.equal(r.paused(), true);
  assert.equal(r.lines.idle, false);
  assert.equal(r.lines.unsent, 5, "2 waiting, 3 still buffered");
  r.set("sent");
  r.lines.flush();
  assert.deepEqual(r.sent, ["1\n", "2\n", "3\n", "4\n", "5\n"]);
  assert.equal(r.lines.idle, true);
});

test("a full Worker queue (busy): lines wait for the drain, in order", () => {
  const r = rig(8);
  r.set("sent");
  r.lines.input("a\n");
  r.set("busy");
  r.lines.input("b\nc\n");
  assert.equal(r.lines.held, 2);
  r.set("sent");
  r.lines.input("d\n"); // behind the waiting ones, not before them
  assert.deepEqual(r.sent, ["a\n"]);
  r.lines.flush(); // "drain"
  assert.deepEqual(r.sent, ["a\n", "b\n", "c\n", "d\n"]);
});

test("a line longer than a datagram is said and skipped; an endless one does not grow memory", () => {
  const r = rig();
  r.set("sent");
  r.lines.input(`${"x".repeat(MAX_DATAGRAM + 10)}\nok\n`);
  assert.deepEqual(r.sent, ["ok\n"]);
  assert.match(r.log[0], /is not sent: more than one datagram carries/);
  for (let i = 0; i < 5; i++) r.lines.input("y".repeat(40_000)); // 200 kB, no newline
  r.lines.input("z\nafter\n");
  assert.deepEqual(r.sent, ["ok\n", "after\n"], "the over-long line's bytes up to its newline went");
  assert.equal(r.log.length, 2);
  assert.match(r.log[1], /longer than \d+ bytes/);
});

/** A UDP port nothing listens on (bound, then closed). */
async function freePort(): Promise<number> {
  const s = createSocket("udp4");
  await new Promise<void>((res) => s.bind(0, "127.0.0.1", res));
  const port = s.address().port;
  await new Promise<void>((res) => s.close(() => res()));
  return port;
}

test("hipmm host: 3000 lines piped in before the peer is up all leave, none dropped by A", { timeout: 90_000 }, () =>
  withCliWorld(["a", "b"], async ({ dir, keys, hits, hipmm }) => {
    const port = await freePort();
    const stats = join(dir, "a.stats");
    const a = hipmm(["host", "--id", keys[0], "--listen", "127.0.0.1:0", "--no-watch", "--connect", `${hits[1]}@127.0.0.1:${port}`, "--stats", "60", "--stats-file", stats], 60_000);
    await a.waitFor("err", /listening on/);
    const text = Array.from({ length: 3000 }, (_, i) => `line ${i}\n`).join("");
    a.child.stdin.write(text);
    await a.waitFor("err", /1024 lines waiting: stdin is read again as they are sent/);
    const b = hipmm(["host", "--id", keys[1], "--listen", `127.0.0.1:${port}`, "--k", "2", "--no-watch", "--no-stdin", "--output", "lines"], 60_000);
    await a.waitFor("err", /established /);
    a.child.kill("SIGUSR1");
    let live: { peers: { peer: string; state: string; path: string; spiOut: string }[] } | undefined;
    for (let t = 0; t < 100 && !live; t++) {
      await new Promise((r) => setTimeout(r, 20));
      const first = readFileSync(stats, "utf8").split("\n")[0];
      if (first) live = JSON.parse(first);
    }
    assert.ok(live, "a stats line on SIGUSR1");
    a.child.stdin.end();
    assert.equal(await a.exited, 0, a.err);
    assert.doesNotMatch(a.err, /dropped|not sent/);
    const final = readFileSync(stats, "utf8").trim().split("\n").map((l) => JSON.parse(l)).at(-1);
    assert.equal(final.final, true);
    assert.equal(final.esp["esp.tx"], 3000, "every line left A as one ESP datagram");
    // The stats line on SIGUSR1 said where ESP to the peer went (one association, from A's socket to
    // B's port); the last one, after the CLOSE, lists none.
    assert.equal(live.peers.length, 1, JSON.stringify(live.peers));
    assert.equal(live.peers[0].peer, hits[1]);
    assert.equal(live.peers[0].state, "ESTABLISHED");
    assert.match(live.peers[0].path, new RegExp(`^127\\.0\\.0\\.1:\\d+ → 127\\.0\\.0\\.1:${port}$`));
    assert.match(live.peers[0].spiOut, /^0x[0-9a-f]{8}$/);
    assert.deepEqual(final.peers, []);
    // UDP: B's kernel may drop some of a burst; what it got is in order.
    await b.waitFor("out", /line \d+\n/);
    const got = b.out.trim().split("\n").map((l) => Number(l.slice(5)));
    assert.ok(got.every((n, i) => i === 0 || n > got[i - 1]), "in order");
    b.child.kill("SIGTERM");
    assert.equal(await b.exited, 0);
  }),
);

test("hipmm host without --connect: a line typed once a client has associated reaches it before the client says anything", { timeout: 60_000 }, () =>
  withCliWorld(["a", "b"], async ({ keys, hits, hipmm }) => {
    const b = hipmm(["host", "--id", keys[1], "--listen", "127.0.0.1:0", "--k", "2", "--no-watch"]);
    const port = (await b.waitFor("err", /listening on 127\.0\.0\.1:(\d+)/))[1];
    const a = hipmm(["host", "--id", keys[0], "--listen", "127.0.0.1:0", "--no-watch", "--connect", `${hits[1]}@127.0.0.1:${port}`]);
    await a.waitFor("err", /established /);
    b.child.stdin.write("hello client\n"); // A has sent nothing: B's association is R2-SENT
    await a.waitFor("out", /^hello client\n/);
    a.child.stdin.end();
    assert.equal(await a.exited, 0);
    b.child.stdin.end();
    assert.equal(await b.exited, 0);
  }),
);

test("hipmm host --connect HIT@…: another host that associates with us does not take our lines", { timeout: 60_000 }, () =>
  withCliWorld(["a", "b", "c"], async ({ keys, hits, hipmm }) => {
    const b = hipmm(["host", "--id", keys[1], "--listen", "127.0.0.1:0", "--k", "2", "--no-watch", "--no-stdin", "--output", "lines"]);
    const bPort = (await b.waitFor("err", /listening on 127\.0\.0\.1:(\d+)/))[1];
    const a = hipmm(["host", "--id", keys[0], "--listen", "127.0.0.1:0", "--k", "2", "--no-watch", "--connect", `${hits[1]}@127.0.0.1:${bPort}`]);
    const aPort = (await a.waitFor("err", /listening on 127\.0\.0\.1:(\d+)/))[1];
    await a.waitFor("err", /established /);
    const c = hipmm(["host", "--id", keys[2], "--listen", "127.0.0.1:0", "--no-watch", "--output", "lines", "--connect", `${hits[0]}@127.0.0.1:${aPort}`]);
    await c.waitFor("err", /established /);
    c.child.stdin.write("c speaks\n"); // A now has an ESTABLISHED association with C too
    await a.waitFor("out", /c speaks\n/);
    a.child.stdin.write("for b\n");
    await b.waitFor("out", /^for b\n/);
    assert.doesNotMatch(c.out, /for b/);
    for (const p of [a, c]) p.child.stdin.end();
    assert.equal(await a.exited, 0);
    assert.equal(await c.exited, 0);
    b.child.kill("SIGTERM");
    assert.equal(await b.exited, 0);
  }),
);
