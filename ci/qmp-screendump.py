#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""Host side of the guest's screendump requests (started by ci/vm-run.sh).

The guest cannot reach QEMU's monitor, so it asks through the output share:

  guest: writes DIR/NAME.req                  (NAME: [A-Za-z0-9_-]{1,64})
  host:  QMP screendump -> DIR/NAME.ppm (exact pixels) and DIR/NAME.png,
         then DIR/NAME.done: "ok" or "error: ..." (written last, renamed
         into place, so its presence means the pictures are complete)

DIR is the "screendump" directory of the VM's output directory ($VM_OUT in
the guest); the service writes DIR/service when it is ready, which is how
the guest knows it is there. It polls until QEMU's process is gone.
Only the Python standard library is used.
"""
import json
import os
import re
import socket
import sys
import time

NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class Qmp:
    """One QMP session on QEMU's unix socket."""

    def __init__(self, path, timeout=60):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(path)
        self.file = self.sock.makefile("rw", encoding="utf-8")
        greeting = json.loads(self.file.readline())
        if "QMP" not in greeting:
            raise RuntimeError(f"not a QMP greeting: {greeting}")
        self.call("qmp_capabilities")

    def call(self, cmd, **args):
        msg = {"execute": cmd}
        if args:
            msg["arguments"] = args
        self.file.write(json.dumps(msg) + "\n")
        self.file.flush()
        while True:
            line = self.file.readline()
            if not line:
                raise RuntimeError("QMP connection closed")
            reply = json.loads(line)
            if "error" in reply:
                err = reply["error"]
                raise RuntimeError(f"{cmd}: {err.get('class')}: {err.get('desc')}")
            if "return" in reply:
                return reply["return"]
            # an asynchronous event: skip it

    def close(self):
        self.file.close()
        self.sock.close()


def write_atomic(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.rename(tmp, path)


def serve(sock_path, d, name):
    ppm = os.path.join(d, name + ".ppm")
    png = os.path.join(d, name + ".png")
    for f in (ppm, png):
        if os.path.exists(f):
            os.unlink(f)
    qmp = Qmp(sock_path)
    try:
        qmp.call("screendump", filename=ppm + ".tmp", format="ppm")
        os.rename(ppm + ".tmp", ppm)
        qmp.call("screendump", filename=png + ".tmp", format="png")
        os.rename(png + ".tmp", png)
    finally:
        qmp.close()


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: qmp-screendump.py QMP_SOCKET DIR QEMU_PID")
    sock_path, d, pid = sys.argv[1], sys.argv[2], int(sys.argv[3])
    os.makedirs(d, exist_ok=True)
    ready = False
    while True:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        if not ready and os.path.exists(sock_path):
            write_atomic(os.path.join(d, "service"), "qmp-screendump 1\n")
            ready = True
        reqs = sorted(f for f in os.listdir(d) if f.endswith(".req")) if ready else []
        for req in reqs:
            name = req[:-4]
            os.unlink(os.path.join(d, req))
            if not NAME.match(name):
                continue
            try:
                serve(sock_path, d, name)
                result = "ok\n"
            except (OSError, RuntimeError, ValueError) as e:
                result = f"error: {e}\n"
            print(f"qmp-screendump: {name}: {result.strip()}", file=sys.stderr)
            write_atomic(os.path.join(d, name + ".done"), result)
        time.sleep(0.1)


if __name__ == "__main__":
    main()
