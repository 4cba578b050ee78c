import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import type { Locator } from "../../src/core/types.ts";
import { MemoryNetwork } from "../../src/transport/memory.ts";
import { SocketSet } from "../../src/transport/socket-set.ts";
import { type DatagramSocket, parseLocator } from "../../src/transport/types.ts";
import { bindNodeUdp, DEFAULT_RECV_BUFFER, literalLookup } from "../../src/transport/udp-node.ts";
import { denoSkip, runDeno } from "../helpers/deno.ts";

type Got = { text: string; from: Locator; to: Locator };

function collect(n: number, timeoutMs = 3000): { got: Got[]; push: (d: Uint8Array, f: Locator, t: Locator) => void; done: Promise<void> } {
  const got: Got[] = [];
  let resolve!: () => void;
  let reject!: (e: Error) => void;
  const done = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  const timer = setTimeout(() => reject(new Error(`timeout: ${got.length}/${n} datagrams`)), timeoutMs);
  return {
    got,
    done,
    push(d, from, to) {
      got.push({ text: new TextDecoder().decode(d), from, to });
      if (got.length === n) {
        clearTimeout(timer);
        resolve();
      }
    },
  };
}

for (const ip of ["127.0.0.1", "::1"]) {
  test(`node dgram adapters exchange datagrams both ways on ${ip}`, async () => {
    const a = await bindNodeUdp(ip, 0);
    const b = await bindNodeUdp(ip, 0);
    try {
      assert.ok(a.local.port > 0 && a.local.port !== b.local.port);
      const atB = collect(3);
      const atA = collect(1);
      b.onDatagram(atB.push);
      a.onDatagram(atA.push);
      for (let i = 0; i < 3; i++) a.send({ to: b.local, data: new TextEncoder().encode(`a${i}`) });
      b.send({ to: a.local, data: new TextEncoder().encode("b0") });
      await Promise.all([atB.done, atA.done]);
      assert.deepEqual(atB.got.map((g) => g.text).sort(), ["a0", "a1", "a2"]);
      assert.deepEqual(atB.got[0].from, a.local);
      assert.deepEqual(atB.got[0].to, b.local);
      assert.equal(atA.got[0].text, "b0");
      assert.equal(a.sendErrors + b.sendErrors, 0);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
}

test("literalLookup answers IP literals at once (no resolver round, no tick) and passes names to dns.lookup", async () => {
  const answers: [string, number][] = [];
  const done = (e: Error | null, address: string, family: number) => {
    assert.equal(e, null);
    answers.push([address, family]);
  };
  literalLookup("127.0.0.1", 4, done);
  literalLookup("::1", 6, done);
  literalLookup("127.0.0.2", { family: 4 }, done);
  // Synchronous: dns.lookup (node:dgram's default) would answer these on a later tick.
  assert.deepEqual(answers, [["127.0.0.1", 4], ["::1", 6], ["127.0.0.2", 4]]);
  const named = new Promise<[string, number]>((resolve, reject) =>
    literalLookup("localhost", 4, (e: Error | null, address: string, family: number) => (e ? reject(e) : resolve([address, family]))),
  );
  assert.equal(answers.length, 3, "a name is not answered synchronously");
  const [address, family] = await named;
  assert.equal(family, 4);
  assert.match(address, /^127\./);
});

test("destinations: literal sends keep their order beside a name that needs resolving; the name is delivered", async () => {
  const a = await bindNodeUdp("127.0.0.1", 0);
  const b = await bindNodeUdp("127.0.0.1", 0);
  try {
    const got = collect(3);
    b.onDatagram(got.push);
    a.send({ to: { ip: "localhost", port: b.local.port }, data: new TextEncoder().encode("by-name") });
    a.send({ to: b.local, data: new TextEncoder().encode("x1") });
    a.send({ to: b.local, data: new TextEncoder().encode("x2") });
    await got.done;
    const texts = got.got.map((g) => g.text);
    assert.deepEqual(texts.filter((t) => t !== "by-name"), ["x1", "x2"], "literal sends keep their order");
    assert.ok(texts.includes("by-name"), "a host name is resolved (dns.lookup) and delivered");
    assert.equal(a.sendErrors, 0);
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});

test("a send the kernel refuses is counted by code, never lost silently nor thrown", async () => {
  // node:dgram reports a failed send only to a completion callback: without one, this datagram
  // (larger than any IPv4 UDP payload: EMSGSIZE) vanished and sendErrors stayed 0.
  const a = await bindNodeUdp("127.0.0.1", 0);
  const b = await bindNodeUdp("127.0.0.1", 0);
  try {
    const got = collect(1);
    b.onDatagram(got.push);
    a.send({ to: b.local, data: new Uint8Array(70_000) });
    a.send({ to: b.local, data: new TextEncoder().encode("after") });
    await got.done;
    for (let i = 0; i < 50 && a.sendErrors === 0; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(a.sendErrors, 1);
    assert.deepEqual(a.sendErrorCodes, { EMSGSIZE: 1 });
    assert.equal(got.got[0].text, "after", "the socket goes on");
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});

test("socket set routes by source locator, else by address family", async () => {
  const a4 = await bindNodeUdp("127.0.0.1", 0);
  const a4b = await bindNodeUdp("127.0.0.2", 0).catch(() => undefined); // 127/8 is all loopback on Linux
  const a6 = await bindNodeUdp("::1", 0);
  const p4 = await bindNodeUdp("127.0.0.1", 0);
  const p6 = await bindNodeUdp("::1", 0);
  const set = new SocketSet([a4, a6, ...(a4b ? [a4b] : [])]);
  try {
    const at4 = collect(a4b ? 2 : 1);
    const at6 = collect(1);
    p4.onDatagram(at4.push);
    p6.onDatagram(at6.push);
    assert.ok(set.send({ to: p4.local, data: new TextEncoder().encode("v4") }));
    assert.ok(set.send({ to: p6.local, data: new TextEncoder().encode("v6") }));
    if (a4b) set.send({ to: p4.local, from: a4b.local, data: new TextEncoder().encode("v4b") });
    await Promise.all([at4.done, at6.done]);
    const byText = new Map(at4.got.map((g) => [g.text, g.from]));
    assert.deepEqual(byText.get("v4"), a4.local);
    if (a4b) assert.deepEqual(byText.get("v4b"), a4b.local);
    assert.deepEqual(at6.got[0].from, a6.local);
    // Replies come back through the set's single handler, naming the receiving socket.
    const back = collect(1);
    set.onDatagram(back.push);
    p6.send({ to: a6.local, data: new TextEncoder().encode("r6") });
    await back.done;
    assert.deepEqual(back.got[0].to, a6.local);
    await set.remove(a6.local);
    assert.equal(set.send({ to: p6.local, data: new Uint8Array(1) }), undefined);
    assert.equal(set.unroutable, 1);
  } finally {
    await Promise.all([set.close(), p4.close(), p6.close()]);
  }
});

test("memory network delivers asynchronously and drops to unbound locators", async () => {
  const net = new MemoryNetwork();
  const a = net.bind("10.0.0.1");
  const b = net.bind("10.0.0.2", 10500);
  const atB = collect(1);
  b.onDatagram(atB.push);
  const buf = new TextEncoder().encode("hi");
  a.send({ to: b.local, data: buf });
  buf[0] = 0; // the network copied it
  assert.equal(atB.got.length, 0); // not synchronous
  await atB.done;
  assert.equal(atB.got[0].text, "hi");
  assert.deepEqual(atB.got[0].from, a.local);
  a.send({ to: { ip: "10.0.0.3", port: 1 }, data: buf });
  await new Promise((r) => setTimeout(r, 1));
  assert.equal(net.dropped, 1);
});

test("locator text parsing", () => {
  assert.deepEqual(parseLocator("127.0.0.1:10500"), { ip: "127.0.0.1", port: 10500 });
  assert.deepEqual(parseLocator("[::1]:7"), { ip: "::1", port: 7 });
  assert.deepEqual(parseLocator("::1", 10500), { ip: "::1", port: 10500 });
  assert.equal(parseLocator("::1"), undefined);
  assert.equal(parseLocator("1.2.3.4:99999"), undefined);
  assert.equal(parseLocator("host"), undefined);
});

for (const ip of ["127.0.0.1", "::1"]) {
  test(`deno udp adapter talks to a node socket on ${ip}`, { skip: denoSkip() }, async () => {
    const echo = await bindNodeUdp(ip, 0);
    echo.onDatagram((data, from) => echo.send({ to: from, data: new Uint8Array([...new TextEncoder().encode("echo "), ...data]) }));
    try {
      const r = await runDeno(["run", "--quiet", "--unstable-net", "--allow-net", "test/deno/udp-echo.ts", ip, String(echo.local.port), "3"], { timeoutMs: 20_000 });
      assert.equal(r.code, 0, r.stderr);
      const out = JSON.parse(r.stdout.trim().split("\n").pop()!) as { local: Locator; got: string[] };
      assert.equal(out.local.ip, ip);
      assert.deepEqual(out.got, [0, 1, 2].map((i) => `echo deno ${i}|${echo.local.port}|${ip}`));
    } finally {
      await echo.close();
    }
  });
}

test("node udp: sockets ask for a 4 MiB receive buffer, so a burst the reader cannot drain at once is kept (the kernel default drops most of it)", async () => {
  const rmemMax = (() => {
    try {
      return Number(readFileSync("/proc/sys/net/core/rmem_max", "utf8"));
    } catch {
      return undefined; // not Linux: the size check below is skipped, the burst check still runs
    }
  })();
  const burst = async (opts: { recvBufferSize?: number }): Promise<{ got: number; size: number }> => {
    const rx = await bindNodeUdp("127.0.0.1", 0, opts);
    const tx = await bindNodeUdp("127.0.0.1", 0);
    let got = 0;
    rx.onDatagram(() => void got++);
    const data = new Uint8Array(1400);
    // 600 datagrams (≈ 1.4 MB of buffer truesize) while this thread cannot read any of them.
    for (let i = 0; i < 600; i++) tx.send({ to: rx.local, data });
    for (let quiet = 0, last = -1; quiet < 5; ) {
      await new Promise((r) => setTimeout(r, 10));
      quiet = got === last ? quiet + 1 : 0;
      last = got;
    }
    const size = rx.recvBufferSize;
    await Promise.all([rx.close(), tx.close()]);
    return { got, size };
  };
  const big = await burst({});
  const small = await burst({ recvBufferSize: 0 });
  if (rmemMax !== undefined) assert.ok(big.size >= Math.min(DEFAULT_RECV_BUFFER, rmemMax), `SO_RCVBUF ${big.size}`);
  if (rmemMax === undefined || rmemMax >= 2 * 1024 * 1024) assert.equal(big.got, 600);
  assert.ok(small.size < big.size, `${small.size} vs ${big.size}`);
  // A kernel whose default already holds the burst (≈ 2 KiB of truesize per datagram) keeps it all.
  if (small.size < 600 * 2048) assert.ok(small.got < 600, `the kernel default (${small.size} B) kept ${small.got}/600`);
});

test("SocketSet.stats counts receive failures as recv-error, those of removed sockets too", async () => {
  // A socket whose transport saw failed receives (Deno: receive() rejected; node:dgram: an "error" event).
  const sock = (port: number, recvErrors: number): DatagramSocket => ({
    local: { ip: "127.0.0.1", port },
    send: () => {},
    onDatagram: () => {},
    sendErrors: 1,
    sendErrorCodes: { EMSGSIZE: 1 },
    recvErrors,
    close: async () => {},
  });
  const set = new SocketSet([sock(1, 2), sock(2, 0)]);
  assert.deepEqual(set.stats(), { sockets: 2, draining: 0, drop: { EMSGSIZE: 2, "recv-error": 2 } });
  await set.remove({ ip: "127.0.0.1", port: 1 });
  assert.deepEqual(set.stats(), { sockets: 1, draining: 0, drop: { EMSGSIZE: 2, "recv-error": 2 } }, "kept after the socket went");
});
