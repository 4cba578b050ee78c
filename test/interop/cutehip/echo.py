#!/usr/bin/python3
# UDP echo "application" for the cutehip interop test, run in cutehip's namespace: binds [::]:PORT
# (traffic to cutehip's HIT arrives here through cutehip's hip0 tun), answers every datagram with
# b"echo:" + data, prints "rx <hex>" per datagram. With --hello HIT it also sends b"hello\n" to
# [HIT]:PORT every 0.5 s until something arrives from that HIT (cutehip drops the first packets
# while its base exchange runs). Exits after --timeout seconds.
import argparse, binascii, select, socket, sys, time

ap = argparse.ArgumentParser()
ap.add_argument("--port", type=int, default=5000)
ap.add_argument("--hello")
ap.add_argument("--timeout", type=float, default=60)
a = ap.parse_args()
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.bind(("::", a.port))
end = time.time() + a.timeout
heard = False
next_hello = 0.0
print("ready", flush=True)
while time.time() < end:
    now = time.time()
    if a.hello and not heard and now >= next_hello:
        try:
            s.sendto(b"hello\n", (a.hello, a.port))
        except OSError as e:
            print("send-error", e, flush=True)
        next_hello = now + 0.5
    r, _, _ = select.select([s], [], [], 0.2)
    if not r:
        continue
    data, src = s.recvfrom(65535)
    if a.hello and src[0] == socket.inet_ntop(socket.AF_INET6, socket.inet_pton(socket.AF_INET6, a.hello)):
        heard = True
    print("rx", src[0], binascii.hexlify(data).decode(), flush=True)
    s.sendto(b"echo:" + data, src[:2])
sys.exit(0)
