#!/usr/bin/env python3
"""Durability check: kill -9 the server during a burst of event submissions, restart it, and verify that every
event that got a 201 is there, unchanged, and that a retry with the same Idempotency-Key after the crash returns
the original event instead of creating a new one.

Usage: .ci/kill9_durability.py PATH/TO/wangge [--seconds 3] [--clients 8]
Exit status 0 when nothing acknowledged was lost, 1 otherwise.
"""
import argparse
import http.client
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(port, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            c.request("GET", "/health")
            if c.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    sys.exit(f"server on port {port} did not become healthy")


def token(wangge, db, role):
    out = subprocess.run([wangge, "token", "create", "--role", role, "--name", f"kill9 {role}", "--db", db,
                          "--geodata", os.path.join(ROOT, "GeoData")], check=True, capture_output=True, text=True)
    return out.stdout.strip()


def start(wangge, db, port, log):
    return subprocess.Popen([wangge, "serve", "--db", db, "--port", str(port), "--geodata", os.path.join(ROOT, "GeoData"),
                             "--log-level", "warning"], stdout=log, stderr=log)


def body(n):
    return {"type": "garbage", "severity": 1 + n % 4, "lon": round(114.445 + random.random() * 0.015, 7),
            "lat": round(38.057 + random.random() * 0.008, 7), "description": f"kill9 burst event {n}",
            "reporter_name": "durability check", "reporter_phone": "13800000000", "channel": "web"}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("wangge")
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--clients", type=int, default=8)
    a = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="wangge-kill9-")
    db = os.path.join(tmp, "wangge.db")
    log = open(os.path.join(tmp, "server.log"), "w")
    reporter = token(a.wangge, db, "reporter")
    dispatcher = token(a.wangge, db, "dispatcher")
    port = free_port()
    server = start(a.wangge, db, port, log)
    wait_healthy(port)

    acknowledged = {}  # key -> (id, payload)
    lock = threading.Lock()
    stop = threading.Event()
    counter = iter(range(10**9))

    def client():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        while not stop.is_set():
            with lock:
                n = next(counter)
            key = f"kill9-{n}"
            payload = body(n)
            try:
                conn.request("POST", "/events", json.dumps(payload), {"Authorization": f"Bearer {reporter}",
                             "Content-Type": "application/json", "Idempotency-Key": key})
                r = conn.getresponse()
                data = r.read()
                if r.status == 201:
                    with lock:
                        acknowledged[key] = (json.loads(data)["id"], payload)
            except (OSError, http.client.HTTPException):
                # The server died mid-request: this one was never acknowledged.
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                if stop.is_set():
                    return

    threads = [threading.Thread(target=client) for _ in range(a.clients)]
    for t in threads:
        t.start()
    time.sleep(a.seconds)
    server.send_signal(signal.SIGKILL)  # no graceful shutdown: the process just stops
    server.wait()
    stop.set()
    for t in threads:
        t.join()
    acked = len(acknowledged)
    print(f"kill9: {acked} events acknowledged with 201 before kill -9")

    server = start(a.wangge, db, port, log)
    wait_healthy(port)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    lost = []
    for key, (event_id, payload) in acknowledged.items():
        conn.request("GET", f"/events/{event_id}", headers={"Authorization": f"Bearer {dispatcher}"})
        r = conn.getresponse()
        data = r.read()
        if r.status != 200 or json.loads(data)["description"] != payload["description"]:
            lost.append((key, event_id, r.status))
    # A phone retrying after the crash gets the original event, not a new one.
    replayed_ok = True
    if acknowledged:
        key, (event_id, payload) = next(iter(acknowledged.items()))
        conn.request("POST", "/events", json.dumps(payload), {"Authorization": f"Bearer {reporter}",
                     "Content-Type": "application/json", "Idempotency-Key": key})
        r = conn.getresponse()
        data = r.read()
        replayed_ok = r.status == 201 and json.loads(data)["id"] == event_id and r.getheader("Idempotency-Replayed") == "true"
    server.send_signal(signal.SIGTERM)
    server.wait(timeout=30)
    print(f"kill9: after restart {acked - len(lost)}/{acked} acknowledged events are stored unchanged; "
          f"idempotent replay after the crash {'ok' if replayed_ok else 'FAILED'}")
    if lost:
        print("kill9: LOST", lost[:10])
    if acked == 0:
        print("kill9: no event was acknowledged before the kill: the check proved nothing")
    return 0 if not lost and replayed_ok and acked > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
