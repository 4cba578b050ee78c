// Two HIP hosts on loopback UDP (Node): A connects to B by HIT and locator, they exchange
// datagrams over ESP, then A moves from 127.0.0.1 to 127.0.0.2 (an REA to B, which checks the
// new address with AC/ACR) and the association carries on. Prints one JSON summary line.
import { createHost, createIdentity, udp } from "hipmm/node";

const text = (b) => new TextDecoder().decode(b);
const hip = { puzzleK: 4 }; // an easy puzzle: this is a demo

const a = await createHost({ identity: createIdentity(), transport: udp("127.0.0.1:0"), hip });
const b = await createHost({ identity: createIdentity(), transport: udp("127.0.0.1:0"), hip });
const seenByB = [];
// B answers every datagram on the association it came on.
b.on("message", (m) => {
  seenByB.push({ text: text(m.data), from: `${m.from.ip}:${m.from.port}` });
  b.association(m.peer).send(`echo:${text(m.data)}`);
});

/** The next datagram on `assoc` that `pred` accepts (rejects after `ms`). */
function next(assoc, pred = () => true, ms = 5000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("no reply")), ms);
    const cb = (m) => {
      if (!pred(m)) return;
      clearTimeout(timer);
      assoc.off("message", cb);
      resolve(text(m.data));
    };
    assoc.on("message", cb);
  });
}

try {
  const assoc = await a.connect({ hit: b.hit, locator: b.locators[0] });
  const reply = next(assoc);
  assoc.send("hello");
  const first = await reply;

  // The move: bind 127.0.0.2, drop 127.0.0.1 (draft-nikander-hip-mm-00 §4.2).
  const before = a.locators[0];
  const moved = new Promise((resolve) => b.on("moved", (ev) => ev.to?.remote.ip === "127.0.0.2" && resolve(ev)));
  await a.move({ add: ["127.0.0.2:0"], remove: [before] });
  const afterReply = next(assoc, (m) => text(m.data) === "echo:after the move");
  // Until B has verified the new address it may still answer elsewhere: resend a few times.
  const tick = setInterval(() => assoc.send("after the move"), 100);
  let second;
  try {
    second = await afterReply;
  } finally {
    clearInterval(tick);
  }
  const ev = await moved;
  console.log(
    JSON.stringify({
      a: a.hit,
      b: b.hit,
      replies: [first, second],
      before: `${before.ip}:${before.port}`,
      after: a.locators.map((l) => `${l.ip}:${l.port}`),
      bSawMoveTo: `${ev.to.remote.ip}:${ev.to.remote.port}`,
      lastFrom: seenByB.at(-1).from,
    }),
  );
} finally {
  await a.close();
  await b.close();
}
