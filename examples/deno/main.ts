// Two HIP hosts on loopback UDP in Deno (Deno.listenDatagram: --unstable-net). Host B runs its
// ESP data plane in a module Worker (hipmm's worker script, started by the package itself); host
// A's Worker also owns A's socket ("worker-io": ESP never touches A's thread).
// A connects to B by HIT and locator; B echoes; prints one JSON summary line.
import { createHost, createIdentity, udp } from "hipmm/deno";

const text = (b: Uint8Array) => new TextDecoder().decode(b);
const hip = { puzzleK: 4 }; // an easy puzzle: this is a demo

const a = await createHost({ identity: createIdentity(), transport: udp("127.0.0.1:0", { dataPlane: "worker-io" }), hip });
const b = await createHost({ identity: createIdentity("Ed25519"), transport: udp("127.0.0.1:0", { dataPlane: "worker" }), hip });
b.on("message", (m) => b.association(m.peer).send(`echo:${text(m.data)}`));

try {
  const assoc = await a.connect({ hit: b.hit, locator: b.locators[0] });
  const replies: string[] = [];
  const done = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`only ${replies.length} replies`)), 5000);
    assoc.on("message", (m) => {
      replies.push(text(m.data));
      if (replies.length === 3) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  for (const s of ["one", "two", "three"]) assoc.send(s);
  await done;
  console.log(JSON.stringify({ runtime: `deno ${Deno.version.deno}`, a: a.hit, b: b.hit, replies: replies.sort() }));
} finally {
  await a.close();
  await b.close();
}
