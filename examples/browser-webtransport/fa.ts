// The Deno Forwarding Agent from the hipmm package: UDP for peers, WebTransport (and, with
// --ws, WebSocket) tunnels for browsers. Arguments as `hipmm fa`:
//   deno run --unstable-net -A fa.ts --udp 127.0.0.1:10600 --wt 127.0.0.1:4433 --cert cert.pem --key key.pem
import { runDenoFa } from "hipmm/deno";

Deno.exit(await runDenoFa(Deno));
