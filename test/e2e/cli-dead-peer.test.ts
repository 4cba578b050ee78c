// A peer that stops answering, with real `hipmm host` processes on loopback: A says so when every
// path has gone silent (liveness ACs unanswered, draft §3.3), says so again when the peer answers,
// and gives the association up after --peer-dead (closed: unreachable) instead of sending into the
// void for ever. A line typed then starts a new base exchange; end of stdin during it exits at once.
import assert from "node:assert/strict";
import { test } from "node:test";
import { withCliWorld } from "../helpers/cli-world.ts";
import { freeUdpPort } from "../helpers/net.ts";
import { typeUntil } from "../helpers/proc.ts";

test("hipmm host: a silent peer is reported, reported back, and given up after --peer-dead", { timeout: 90_000 }, () =>
  withCliWorld(["a", "b"], async ({ keys, hits, hipmm }) => {
    const port = await freeUdpPort();
    const b = hipmm(["host", "--id", keys[1], "--listen", `127.0.0.1:${port}`, "--k", "2", "--no-watch", "--no-stdin", "--output", "lines"]);
    await b.waitFor("err", /listening on/);
    const live = ["--probe-interval", "100", "--failover-timeout", "300", "--peer-dead", "1500"];
    const a = hipmm(["host", "--id", keys[0], "--listen", "127.0.0.1:0", "--no-watch", ...live, "--connect", `${hits[1]}@127.0.0.1:${port}`]);
    await a.waitFor("err", /established /);
    a.child.stdin.write("before\n");
    await b.waitFor("out", /^before\n/);

    // Stopped (not dead): unreachable, then back before --peer-dead; the association stays.
    b.child.kill("SIGSTOP");
    await typeUntil(a, new RegExp(`no answer from ${hits[1]} for \\d+\\.\\d s on any path: probing \\(given up after 1\\.5 s more\\)`), "stopped");
    b.child.kill("SIGCONT");
    await typeUntil(a, new RegExp(`${hits[1]} answers again \\(silent \\d+\\.\\d s\\)`), "resumed");
    await b.waitFor("out", /resumed \d+\n/);
    assert.doesNotMatch(a.err, /closed/);

    // Killed: given up, without a CLOSE; the next line tries a new exchange (nobody answers).
    b.child.kill("SIGKILL");
    await b.exited;
    await typeUntil(a, new RegExp(`association with ${hits[1]} closed \\(unreachable: the peer stopped answering, given up\\); the next line starts a new base exchange`), "dead");
    a.child.stdin.write("held\n");
    // End of stdin while that exchange is pending: exit now (not when its 30 s timer ends), and say
    // which lines never left.
    const t0 = Date.now();
    a.child.stdin.end();
    assert.equal(await a.exited, 0);
    assert.ok(Date.now() - t0 < 10_000, `A took ${Date.now() - t0} ms to exit`);
    assert.match(a.err, /\d+ held line\(s\) not sent \(no association\)/);
    assert.doesNotMatch(a.err, /timed out/);
  }),
);

test("hipmm host --no-mobility: heartbeat UPDATEs bring a restarted peer back, and give a dead one up", { timeout: 90_000 }, () =>
  withCliWorld(["a", "b"], async ({ keys, hits, hipmm }) => {
    const port = await freeUdpPort();
    const server = () => hipmm(["host", "--id", keys[1], "--listen", `127.0.0.1:${port}`, "--k", "2", "--no-watch", "--no-mobility", "--no-stdin", "--output", "lines"]);
    const b = server();
    await b.waitFor("err", /listening on/);
    // First heartbeat 400 ms after unanswered ESP, retransmitted at 100, 200, 400, 800 ms.
    const a = hipmm(["host", "--id", keys[0], "--listen", "127.0.0.1:0", "--no-watch", "--no-mobility", "--heartbeat", "400", "--rto-ms", "100", "--connect", `${hits[1]}@127.0.0.1:${port}`]);
    await a.waitFor("err", /established /);
    a.child.stdin.write("before\n");
    await b.waitFor("out", /^before\n/);
    b.child.kill("SIGKILL");
    await b.exited;
    const b2 = server();
    await b2.waitFor("err", /listening on/);
    // No liveness ACs without mobility: A's heartbeat UPDATE reaches B2, which rejoins.
    const end = Date.now() + 15_000;
    for (let i = 0; !/again \d+\n/.test(b2.out) && Date.now() < end; i++) {
      a.child.stdin.write(`again ${i}\n`);
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.match(b2.out, /again \d+\n/, `A:\n${a.err}\nB2:\n${b2.err}`);
    assert.match(b2.err, new RegExp(`established ${hits[0]}`));
    // Killed for good: the heartbeat goes unanswered (said once) and A gives the association up.
    b2.child.kill("SIGKILL");
    await b2.exited;
    await typeUntil(a, new RegExp(`association with ${hits[1]} closed \\(unreachable`), "dead");
    assert.match(a.err, new RegExp(`no answer from ${hits[1]} for \\d+\\.\\d s: heartbeat UPDATE unanswered, retrying[\\s\\S]*closed \\(unreachable`));
    a.child.stdin.end();
    assert.equal(await a.exited, 0);
  }),
);

test("hipmm host --data-plane worker-io --no-mobility: ESP opened in the Worker counts as an answer (no heartbeat); a killed peer is given up", { timeout: 90_000 }, () =>
  withCliWorld(["a", "b"], async ({ keys, hits, hipmm }) => {
    const port = await freeUdpPort();
    const b = hipmm(["host", "--id", keys[1], "--listen", `127.0.0.1:${port}`, "--k", "2", "--no-watch", "--no-mobility", "--no-stdin", "--data-plane", "worker-io", "--echo", "--output", "lines"]);
    await b.waitFor("err", /listening on/);
    const a = hipmm(["host", "--id", keys[0], "--listen", "127.0.0.1:0", "--no-watch", "--no-mobility", "--data-plane", "worker-io", "--heartbeat", "300", "--rto-ms", "100", "--output", "lines", "--connect", `${hits[1]}@127.0.0.1:${port}`]);
    await a.waitFor("err", /established /);
    // Two seconds of echoed lines: every answer is ESP opened in A's Worker. If the core did not
    // hear of them, each line would be "unanswered" and draw a heartbeat UPDATE after 300 ms.
    for (let i = 0; i < 20; i++) {
      a.child.stdin.write(`echoed ${i}\n`);
      await new Promise((r) => setTimeout(r, 100));
    }
    await a.waitFor("out", /echoed 19\n/);
    a.child.kill("SIGUSR1");
    const stats = JSON.parse((await a.waitFor("err", /^(\{"t".*\})$/m))[1]) as { update: Record<string, number> };
    assert.equal(stats.update["heartbeat.sent"], undefined, JSON.stringify(stats.update));
    b.child.kill("SIGKILL");
    await b.exited;
    await typeUntil(a, new RegExp(`association with ${hits[1]} closed \\(unreachable`), "gone");
    a.child.stdin.end();
    assert.equal(await a.exited, 0);
  }),
);
