// Deno side of test/transport/udp.test.ts: binds src/transport/udp-deno.ts on 127.0.0.1:0
// (or ::1), sends datagrams to the Node echo socket given as argument, prints one JSON line.
import { bindDenoUdp } from "../../src/transport/udp-deno.ts";

const [ip, portText, countText] = Deno.args;
const count = Number(countText ?? "3");
const sock = bindDenoUdp(ip, 0);
const got: string[] = [];
const done = new Promise<void>((resolve) => {
  sock.onDatagram((data, from, to) => {
    got.push(`${new TextDecoder().decode(data)}|${from.port}|${to.ip}`);
    if (got.length === count) resolve();
  });
});
for (let i = 0; i < count; i++) sock.send({ to: { ip, port: Number(portText) }, data: new TextEncoder().encode(`deno ${i}`) });
const timeout = new Promise<void>((resolve) => setTimeout(resolve, 5000));
await Promise.race([done, timeout]);
console.log(JSON.stringify({ local: sock.local, got: got.sort() }));
await sock.close();
Deno.exit(0);
