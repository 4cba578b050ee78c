// `hipmm host --fa` against a `hipmm fa` process on loopback: host A leases an address (shared
// IPv4 locator + SPI range) and, with --privacy, shows only that; host B connects to A's HIT at
// the leased locator (the FA relays the base exchange by HIT and the ESP by SPI, draft §4.4) and
// lines flow both ways through the FA.
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { withCliWorld } from "../helpers/cli-world.ts";
import { freeUdpPort as freePort } from "../helpers/net.ts";

test("hipmm host --fa --privacy behind a hipmm fa process: B reaches A through the FA, lines both ways", { timeout: 60_000 }, () =>
  withCliWorld(["a", "b"], async ({ dir, keys, hits, hipmm }) => {
    const faPort = await freePort();
    const fa = hipmm(["fa", "--id", join(dir, "fa.key"), "--udp", `127.0.0.1:${faPort}`, "--puzzle", "off", "--log", "json"]);
    await fa.waitFor("out", /fa ready/);
    const a = hipmm(["host", "--id", keys[0], "--listen", "127.0.0.1:0", "--fa", `127.0.0.1:${faPort}`, "--privacy", "--k", "2"]);
    const leased = (await a.waitFor("err", /leased (127\.0\.0\.1:\d+) from FA/))[1];
    assert.equal(leased, `127.0.0.1:${faPort}`, "shared IPv4 locator of the FA");
    const b = hipmm(["host", "--id", keys[1], "--listen", "127.0.0.1:0", "--connect", `${hits[0]}@${leased}`, "--k", "2"]);
    await b.waitFor("err", new RegExp(`established ${hits[0]} at 127\\.0\\.0\\.1:${faPort}`));
    b.child.stdin.write("hello A via the FA\n");
    await a.waitFor("out", /hello A via the FA\n/);
    a.child.stdin.write("hello B from behind the FA\n");
    await b.waitFor("out", /hello B from behind the FA\n/);
    // A never showed its own address: B's data path goes to the leased locator.
    assert.doesNotMatch(b.err, new RegExp(`path [^\\n]*→ 127\\.0\\.0\\.1:(?!${faPort}\\b)`));
    assert.match(b.err, new RegExp(`path [^\\n]*→ 127\\.0\\.0\\.1:${faPort}`));
    a.child.stdin.end();
    b.child.stdin.end();
    assert.equal(await a.exited, 0);
    assert.equal(await b.exited, 0);
    // At exit A gives its lease back (draft §4.4.1); it used to stay until it ran out.
    assert.match(a.err, new RegExp(`lease at FA 127\\.0\\.0\\.1:${faPort} released`));
    fa.child.kill("SIGTERM");
    await fa.exited;
    const stop = fa.out.split("\n").filter((l) => l.includes("fa stopping")).join("");
    assert.ok(stop.length > 0, fa.out);
  }),
);

test("an IPv6-only hipmm fa (--pool6): hipmm host --fa gets a dedicated IPv6 lease by default and is reached there; --fa-addr-type 4 is refused", { timeout: 60_000 }, () =>
  withCliWorld(["a", "b"], async ({ dir, keys, hits, hipmm }) => {
    const [faPort, poolPort] = [await freePort("::1"), await freePort("::1")];
    const fa = hipmm(["fa", "--id", join(dir, "fa.key"), "--udp", `[::1]:${faPort}`, "--pool6", `[::1]:${poolPort}-${poolPort}`, "--puzzle", "off", "--log", "json"]);
    await fa.waitFor("out", /fa ready/);
    // Asking for a shared IPv4 locator (the default before --fa-addr-type) gets NO_ADDRESSES here.
    const v4 = hipmm(["host", "--id", keys[1], "--listen", "[::1]:0", "--fa", `[::1]:${faPort}`, "--fa-addr-type", "4", "--no-watch"]);
    await v4.waitFor("err", /FA refused: NO_ADDRESSES/);
    v4.child.stdin.end();
    assert.equal(await v4.exited, 0);
    const a = hipmm(["host", "--id", keys[0], "--listen", "[::1]:0", "--fa", `[::1]:${faPort}`, "--k", "2", "--no-watch"]);
    const leased = (await a.waitFor("err", /leased (\[::1\]:\d+) from FA/))[1];
    assert.equal(leased, `[::1]:${poolPort}`, "the dedicated locator of the FA's pool");
    const b = hipmm(["host", "--id", keys[1], "--listen", "[::1]:0", "--connect", `${hits[0]}@${leased}`, "--k", "2", "--no-watch"]);
    await b.waitFor("err", new RegExp(`established ${hits[0]} at \\[::1\\]:${poolPort}`));
    b.child.stdin.write("hello A at the pool locator\n");
    await a.waitFor("out", /hello A at the pool locator\n/);
    a.child.stdin.write("hello B\n");
    await b.waitFor("out", /hello B\n/);
    a.child.stdin.end();
    b.child.stdin.end();
    assert.equal(await a.exited, 0);
    assert.equal(await b.exited, 0);
  }),
);
