// HeldSends (src/runtime/send-queue.ts): what is sent while there is no path waits, in order; after
// our own move it waits on until the peer's AC proves the new path; what cannot wait is reported.
import assert from "node:assert/strict";
import { test } from "node:test";
import { type HeldEvent, HeldSends, NoPathQueue } from "../../src/runtime/send-queue.ts";

const A = new Uint8Array(16).fill(1);
const B = new Uint8Array(16).fill(2);

function rig(opts: { limit?: number; timeoutMs?: number } = {}) {
  let now = 1000;
  let path = false;
  const wire: string[] = [];
  const events: HeldEvent[] = [];
  const held = new HeldSends(new NoPathQueue(opts), {
    clock: () => now,
    send: (hit, _sp, _dp, data) => {
      if (!path) return "no-path";
      wire.push(`${hit[0]}:${new TextDecoder().decode(data)}`);
      return "sent";
    },
    report: (ev) => events.push(ev),
  });
  /** What RuntimeHost.send does: queue behind held datagrams, else try, hold on "no-path". */
  const send = (hit: Uint8Array, s: string) => {
    const data = new TextEncoder().encode(s);
    if (held.waiting(hit)) return held.hold(hit, 1, 2, data);
    if (!path) return held.hold(hit, 1, 2, data);
    wire.push(`${hit[0]}:${s}`);
    return "sent";
  };
  const tick = () => new Promise((r) => setTimeout(r, 0));
  return {
    held,
    wire,
    events,
    send,
    tick,
    advance: (ms: number) => {
      now += ms;
    },
    pathUp: () => {
      path = true;
    },
  };
}

test("a path from the peer's side (verified address): held datagrams go at once, in order", async () => {
  const r = rig();
  for (const s of ["a", "b", "c"]) assert.equal(r.send(A, s), "queued");
  assert.deepEqual(r.wire, []);
  r.pathUp();
  r.held.pathChanged(A);
  await r.tick();
  assert.deepEqual(r.wire, ["1:a", "1:b", "1:c"]);
  assert.equal(r.held.queue.size, 0);
  assert.deepEqual(r.held.counters, { held: 3, sent: 3, drop: { "queue-full": 0, "no-path-timeout": 0, "no-association": 0 } }, "stats().held");
  assert.deepEqual(
    r.events.map((e) => e.type),
    ["send-queued", "send-queued", "send-queued"],
  );
});

test("our own move back from no path: held (and newer) datagrams wait for the REA's AC, then go in order", async () => {
  const r = rig();
  r.send(A, "a");
  r.send(A, "b");
  r.pathUp();
  r.held.awaitProof(A); // path-changed, reason local-change, previous none
  await r.tick();
  assert.deepEqual(r.wire, [], "nothing flushed into an unproven path");
  assert.equal(r.held.waiting(A), true);
  assert.equal(r.send(A, "c"), "queued", "a new send queues behind the held ones");
  assert.equal(r.held.waiting(B), false, "other peers are not held back");
  r.held.proven(A); // rea-acked
  await r.tick();
  assert.deepEqual(r.wire, ["1:a", "1:b", "1:c"]);
  assert.equal(r.held.waiting(A), false);
  assert.equal(r.send(A, "d"), "sent");
});

test("nothing held: a move back from no path holds nothing back", async () => {
  const r = rig();
  r.pathUp();
  r.held.awaitProof(A);
  assert.equal(r.held.waiting(A), false);
  assert.equal(r.send(A, "x"), "sent");
});

test("no proof within the timeout: the wait ends, what expired is reported (never a silent drop)", async () => {
  const r = rig({ timeoutMs: 500 });
  r.send(A, "a");
  r.pathUp();
  r.held.awaitProof(A);
  r.advance(499);
  assert.equal(r.held.waiting(A), true);
  r.advance(1);
  assert.equal(r.held.waiting(A), false, "waiting is bounded by timeoutMs");
  await new Promise((res) => setTimeout(res, 600)); // the expiry timer runs on real time
  r.held.stop();
  const dropped = r.events.filter((e) => e.type === "send-dropped");
  assert.deepEqual(
    dropped.map((e) => e.type === "send-dropped" && [e.dropped, e.reason]),
    [[1, "no-path-timeout"]],
  );
  assert.deepEqual(r.held.counters.drop, { "queue-full": 0, "no-path-timeout": 1, "no-association": 0 });
});

test("the per-peer limit holds: the newest beyond it are reported queue-full", () => {
  const r = rig({ limit: 2 });
  assert.equal(r.send(A, "a"), "queued");
  assert.equal(r.send(A, "b"), "queued");
  assert.equal(r.send(A, "c"), "no-path");
  assert.equal(r.send(B, "z"), "queued", "the limit is per peer");
  const last = r.events.filter((e) => e.type === "send-dropped");
  assert.deepEqual(
    last.map((e) => e.type === "send-dropped" && e.reason),
    ["queue-full"],
  );
  assert.equal(r.held.counters.drop["queue-full"], 1);
  r.held.stop();
});

test("held datagrams whose association went meanwhile are counted and reported as dropped, not sent", async () => {
  const events: HeldEvent[] = [];
  let gone = false;
  const held = new HeldSends(new NoPathQueue(), { clock: () => 0, send: () => (gone ? "no-association" : "no-path"), report: (ev) => events.push(ev) });
  held.hold(A, 1, 2, new Uint8Array(1));
  held.hold(A, 1, 2, new Uint8Array(2));
  gone = true;
  held.pathChanged(A);
  await new Promise((res) => setTimeout(res, 0));
  held.stop();
  assert.deepEqual(held.counters, { held: 2, sent: 0, drop: { "queue-full": 0, "no-path-timeout": 0, "no-association": 2 } });
  // One report for the flush (it used to be counted only: the application never heard of it).
  assert.deepEqual(events.at(-1), { type: "send-dropped", peerHit: A, dropped: 2, reason: "no-association" });
});
