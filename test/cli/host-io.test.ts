// `hipmm host --output raw|lines|hex|json` and `--echo`: formats on real bytes, then two real
// `hipmm host` processes on loopback: B echoes every datagram and prints one per line, A prints
// the echoes as JSON lines. B runs its ESP in a Worker that owns its socket (--data-plane
// worker-io), A in a Worker (--data-plane worker).
import assert from "node:assert/strict";
import { test } from "node:test";
import { escapeLine, formatDatagram } from "../../src/cli/host-io.ts";
import { withCliWorld } from "../helpers/cli-world.ts";

const enc = new TextEncoder();
const hit = Uint8Array.from([0x20, 0x01, 0x00, 0x2a, ...new Array(12).fill(0x11)]);

test("--output formats: one datagram per line whatever its bytes", () => {
  assert.equal(escapeLine(enc.encode("plain text\n")), "plain text", "the trailing newline is the line's own");
  assert.equal(escapeLine(enc.encode("a\nb\tc\\d\r\x00")), "a\\nb\\tc\\\\d\\r\\x00");
  assert.equal(escapeLine(Uint8Array.from([0x41, 0xff, 0x0a, 0x5c])), "A\\xff\\x0a\\x5c", "invalid UTF-8: bytes escaped");
  assert.equal(escapeLine(enc.encode("héllo ✓")), "héllo ✓");
  const d = { peerHit: hit, srcPort: 5000, dstPort: 5001, data: enc.encode("two\nlines\n") };
  assert.equal(formatDatagram("raw", d), d.data);
  assert.equal(formatDatagram("lines", d), "two\\nlines\n");
  assert.equal(formatDatagram("hex", d), "74776f0a6c696e65730a\n");
  const j = JSON.parse(formatDatagram("json", d) as string);
  assert.deepEqual(j, { peer: "2001:2a:1111:1111:1111:1111:1111:1111", srcPort: 5000, dstPort: 5001, length: 10, text: "two\nlines\n" });
  assert.deepEqual(JSON.parse(formatDatagram("json", { ...d, data: Uint8Array.from([0xff, 0]) }) as string).hex, "ff00");
  for (const mode of ["lines", "hex", "json"] as const) {
    const out = formatDatagram(mode, { ...d, data: Uint8Array.from({ length: 256 }, (_, i) => i) }) as string;
    assert.equal(out.indexOf("\n"), out.length - 1, `${mode}: exactly one line`);
  }
});

test("hipmm host --echo --output lines (B) and --output json (A): the echo comes back, one datagram per line", { timeout: 60_000 }, () =>
  withCliWorld(["a", "b"], async ({ keys, hits, hipmm }) => {
    const b = hipmm(["host", "--id", keys[1], "--listen", "127.0.0.1:0", "--k", "2", "--no-watch", "--echo", "--output", "lines", "--data-plane", "worker-io"]);
    const port = (await b.waitFor("err", /listening on 127\.0\.0\.1:(\d+)/))[1];
    const a = hipmm(["host", "--id", keys[0], "--listen", "127.0.0.1:0", "--no-watch", "--connect", `${hits[1]}@127.0.0.1:${port}`, "--output", "json", "--data-plane", "worker"]);
    await a.waitFor("err", /established /);
    a.child.stdin.write("hello\tworld\nsecond\n");
    await b.waitFor("out", /hello\\tworld\nsecond\n/);
    const echoed = await a.waitFor("out", /^(\{.*\}\n){2}/);
    const lines = echoed[0].trim().split("\n").map((l) => JSON.parse(l));
    assert.deepEqual(
      lines.map((l) => [l.peer, l.srcPort, l.dstPort, l.text]),
      [
        [hits[1], 5000, 5000, "hello\tworld\n"],
        [hits[1], 5000, 5000, "second\n"],
      ],
    );
    assert.equal(b.out, "hello\\tworld\nsecond\n", "B printed each datagram on its own line");
    a.child.stdin.end();
    b.child.stdin.end();
    assert.equal(await a.exited, 0);
    assert.equal(await b.exited, 0);
  }),
);

test("hipmm host --no-stdin: a server whose stdin is closed keeps serving until SIGTERM; without it, end of stdin is said and closes", { timeout: 60_000 }, () =>
  withCliWorld(["a", "b"], async ({ keys, hits, hipmm }) => {
    const b = hipmm(["host", "--id", keys[1], "--listen", "127.0.0.1:0", "--k", "2", "--no-watch", "--echo", "--no-stdin"]);
    b.child.stdin.end(); // as `< /dev/null` or a service manager would
    const port = (await b.waitFor("err", /listening on 127\.0\.0\.1:(\d+)/))[1];
    await new Promise((r) => setTimeout(r, 500)); // past the 200 ms an ended stdin would leave it
    assert.equal(b.child.exitCode, null, `B still runs: ${b.err}`);
    const a = hipmm(["host", "--id", keys[0], "--listen", "127.0.0.1:0", "--no-watch", "--connect", `${hits[1]}@127.0.0.1:${port}`]);
    await a.waitFor("err", /established /);
    a.child.stdin.write("still there?\n");
    await a.waitFor("out", /still there\?\n/);
    a.child.stdin.end();
    await a.waitFor("err", /end of stdin: closing/);
    assert.equal(await a.exited, 0);
    assert.doesNotMatch(b.err, /end of stdin/);
    b.child.kill("SIGTERM");
    assert.equal(await b.exited, 0);
  }),
);
