#!/usr/bin/env python3
"""Memory that comes back (issue 15): against a running `wangge serve`, upload a boundary file of one polygon with
2,000,000 vertices plus a self-intersecting one (so it is refused whole after every check has run), and print the
service's resident memory before, at its peak and after. The memory after must be within 20 % of before.

  python3 .ci/memory_check.py BASE_URL WANGGE_BINARY DATABASE
"""
import json
import math
import subprocess
import sys
import time
import urllib.error
import urllib.request

from serve_proc import serve_pid, status_mb as status

base, wangge, db = sys.argv[1].rstrip("/"), sys.argv[2], sys.argv[3]


gis = subprocess.run([wangge, "token", "create", "--role", "gis", "--name", "memory check", "--db", db],
                     capture_output=True, text=True).stdout.strip()
pid = serve_pid()
n = 2_000_000
cx, cy, r = 114.453, 38.062, 0.004
ring = [[round(cx + r * math.cos(2 * math.pi * i / n), 7), round(cy + r * math.sin(2 * math.pi * i / n) * 0.8, 7)] for i in range(n)]
ring.append(ring[0])
bowtie = [[114.450, 38.060], [114.452, 38.062], [114.452, 38.060], [114.450, 38.062], [114.450, 38.060]]
doc = {"type": "FeatureCollection", "features": [
    {"type": "Feature", "properties": {"code": "BIG", "name": "two million vertices"}, "geometry": {"type": "Polygon", "coordinates": [ring]}},
    {"type": "Feature", "properties": {"code": "BAD", "name": "self-intersecting"}, "geometry": {"type": "Polygon", "coordinates": [bowtie]}},
]}
body = json.dumps(doc, separators=(",", ":")).encode()
del doc, ring
time.sleep(1)
before, hwm_before = status(pid, "VmRSS"), status(pid, "VmHWM")
req = urllib.request.Request(base + "/boundaries?layer=functional", data=body, method="POST",
                             headers={"Authorization": f"Bearer {gis}", "Content-Type": "application/geo+json"})
started = time.monotonic()
try:
    with urllib.request.urlopen(req) as resp:
        code = resp.status
except urllib.error.HTTPError as e:
    code = e.code
    e.read()
seconds = time.monotonic() - started
time.sleep(2)
after, peak = status(pid, "VmRSS"), status(pid, "VmHWM")
mb = len(body) / 1048576
print(f"     upload of {mb:.1f} MB ({n:,} vertices): {code} in {seconds:.1f} s; resident {before:.0f} MB before, "
      f"peak {peak:.0f} MB ({peak / mb:.1f}× the upload; the process's high-water mark was {hwm_before:.0f} MB before), {after:.0f} MB after")
ok = code == 422 and after <= before * 1.2
print(("ok   " if ok else "FAIL ") + f"refused whole, and resident memory back within 20 % of before ({after / before * 100 - 100:+.0f} %)")
sys.exit(0 if ok else 1)
