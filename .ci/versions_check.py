#!/usr/bin/env python3
"""Boundary versions against a running `wangge serve` (issue 12), as a GIS officer works with them: a changed
functional layer imported from the command line beside the service is staged (lookups unchanged); its diff, from
the CLI and over HTTP, agrees with an independent recount by Shapely (every stored event's point against the staged
grids, per old -> new pair); `wangge versions activate` reaches the running service within seconds; `?date=` before
the activation still answers with the old grids. The sample's functional layer is put back at the end.

  python3 .ci/versions_check.py BASE_URL WANGGE_BINARY DATABASE GEODATA WORKDIR
"""
import collections
import json
import os
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import urllib.request

from shapely.geometry import Point, shape
from shapely.prepared import prep

base, wangge, db, geodata, work = sys.argv[1].rstrip("/"), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
os.makedirs(work, exist_ok=True)
failures = 0


def check(ok, what):
    global failures
    print(("ok   " if ok else "FAIL ") + what)
    failures += 0 if ok else 1


def run(*args):
    return subprocess.run([wangge, *args, "--db", db], capture_output=True, text=True)


def get(path, token):
    req = urllib.request.Request(base + path, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.loads(r.read())


def post(path, token):
    req = urllib.request.Request(base + path, data=b"", method="POST", headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.loads(r.read())


gis = run("token", "create", "--role", "gis", "--name", "versions check").stdout.strip()

# The sample's functional layer with its first grid moved 150 m east and its second left out.
original = json.load(open(f"{geodata}/functional.geojson"))
changed = json.loads(json.dumps(original))


def shifted(c):
    return [c[0] + 0.0017, *c[1:]] if isinstance(c[0], (int, float)) else [shifted(x) for x in c]


changed["features"][0]["geometry"]["coordinates"] = shifted(changed["features"][0]["geometry"]["coordinates"])
removed = changed["features"].pop(1)
removed_code = removed["properties"]["code"]
path = f"{work}/functional-changed.geojson"
json.dump(changed, open(path, "w"))
inside = shape(removed["geometry"]).representative_point()
lookup = f"/lookup?lon={inside.x}&lat={inside.y}"

r = run("import", path, "--layer", "functional")
check(r.returncode == 0 and "staged" in r.stdout, f"wangge import stages by default: {r.stdout.strip().splitlines()[-1:]}")
versions = get("/versions?layer=functional", gis)["versions"]
staged = versions[0]
check(staged["status"] == "staged" and staged["valid_from"] is None, f"GET /versions lists version {staged['id']} staged")
time.sleep(1.5)
check(removed_code in get(lookup, gis)["functional"]["grids"], "a staged version changes no lookup of the running service")

# The diff, from the command line and over HTTP, against Shapely's recount from the database itself.
cli = run("versions", "diff", str(staged["id"]), "--json", "-")
check(cli.returncode == 0, f"wangge versions diff {staged['id']} --json -")
cli_diff = json.loads(cli.stdout.splitlines()[0]) if cli.returncode == 0 else {}
http_diff = get(f"/versions/{staged['id']}/diff", gis)
check(cli_diff.get("moves") == http_diff["moves"] and cli_diff.get("grids") == http_diff["grids"],
      "the CLI and HTTP diffs agree")
check(http_diff["grids"]["removed"] == 1 and http_diff["grids"]["changed"] == 1 and http_diff["grids"]["added"] == 0,
      f"grids: 1 removed ({removed_code}), 1 changed, 0 added")
grids = [(f["properties"]["code"], prep(shape(f["geometry"]))) for f in changed["features"]]
expected = collections.Counter()
con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
events = con.execute("SELECT lon, lat, functional FROM event").fetchall()
for lon, lat, stored in events:
    p = Point(lon, lat)
    now = sorted(code for code, g in grids if g.covers(p))
    before = [c for c in stored.split(";") if c]
    if before != now:
        expected[(";".join(before) or None, ";".join(now) or None)] += 1
got = collections.Counter({(m["from"], m["to"]): m["events"] for m in http_diff["moves"] if m["events"]})
check(http_diff["events"]["checked"] == len(events), f"the diff checked every stored event ({len(events)})")
check(got == expected, f"events per old -> new pair agree with Shapely's recount ({sum(expected.values())} would move)")
moved = get(f"/versions/{staged['id']}/diff?f=geojson", gis)
check(len(moved["features"]) == http_diff["events"]["would_move"] + http_diff["organisations"]["would_move"],
      f"the GeoJSON of moved points has {len(moved['features'])} points")

# Activation from the command line reaches the running service.
before = time.time()
time.sleep(0.05)
r = run("versions", "activate", str(staged["id"]))
check(r.returncode == 0, f"wangge versions activate: {r.stdout.strip().splitlines()[:1]}")
started, followed = time.monotonic(), False
while time.monotonic() - started < 10 and not followed:
    followed = removed_code not in get(lookup, gis)["functional"]["grids"]
    time.sleep(0.1)
check(followed, f"the running service follows the CLI activation ({time.monotonic() - started:.1f} s)")
stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(before))
then = get(lookup + "&date=" + urllib.parse.quote(stamp), gis)
check(removed_code in then["functional"]["grids"] and "versions" in then, f"?date={stamp} answers with the grids in use then")
listed = {v["id"]: v for v in get("/versions?layer=functional", gis)["versions"]}
check(listed[staged["id"]]["status"] == "active" and listed[versions[1]["id"]]["status"] == "retired",
      "the staged version is active, the one before it retired")

# The sample's layer back, in use at once, over HTTP this time.
req = urllib.request.Request(base + "/boundaries?layer=functional&activate=true", data=open(f"{geodata}/functional.geojson", "rb").read(),
                             method="POST", headers={"Authorization": f"Bearer {gis}", "Content-Type": "application/geo+json"})
with urllib.request.urlopen(req, timeout=60) as r:
    answer = json.loads(r.read())
check(answer["status"] == "active" and removed_code in get(lookup, gis)["functional"]["grids"], "the sample's functional layer is back")
sys.exit(1 if failures else 0)
