#!/usr/bin/env python3
"""The backup drill (issue 15), against a running `wangge serve`: while reporters post events as fast as they can,
take a backup with `wangge backup` and another with GET /admin/backup; restore each into a fresh database with
`wangge restore`; SQLite's integrity check passes and every event acknowledged before the backup began is there,
nothing that was never acknowledged is. A restore onto the live database is refused while the service runs, and
the audit log records the backups.

  python3 .ci/backup_drill.py BASE_URL WANGGE_BINARY DATABASE WORKDIR
"""
import http.client
import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request

base, wangge, live, work = sys.argv[1].rstrip("/"), sys.argv[2], sys.argv[3], sys.argv[4]
os.makedirs(work, exist_ok=True)
failures = 0


def check(ok, what):
    global failures
    print(("ok   " if ok else "FAIL ") + what)
    failures += 0 if ok else 1


def run(*args):
    return subprocess.run([wangge, *args], capture_output=True, text=True)


reporter = run("token", "create", "--role", "reporter", "--name", "drill reporter", "--db", live).stdout.strip()
admin = run("token", "create", "--role", "admin", "--name", "drill admin", "--db", live).stdout.strip()
url = urllib.parse.urlparse(base)
acked = []          # (event id, monotonic time of the 201)
lock = threading.Lock()
stop = threading.Event()


def post_events(k):
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    i = 0
    while not stop.is_set():
        body = json.dumps({"type": "garbage", "severity": 2, "lon": 114.45 + (k * 997 + i) % 100 * 1e-4, "lat": 38.06,
                           "description": f"drill {k}-{i}", "channel": "web"})
        conn.request("POST", "/events", body, {"Authorization": f"Bearer {reporter}", "Content-Type": "application/json"})
        r = conn.getresponse()
        data = r.read()
        if r.status == 201:
            with lock:
                acked.append((json.loads(data)["id"], time.monotonic()))
        i += 1


threads = [threading.Thread(target=post_events, args=(k,)) for k in range(4)]
for t in threads:
    t.start()
time.sleep(1.0)

backups = {}
t0 = time.monotonic()
r = run("backup", f"{work}/cli.db", "--db", live)
check(r.returncode == 0, f"wangge backup during the burst: {r.stdout.strip() or r.stderr.strip()}")
backups["wangge backup"] = (t0, f"{work}/cli.db")
time.sleep(0.5)
t0 = time.monotonic()
req = urllib.request.Request(base + "/admin/backup", headers={"Authorization": f"Bearer {admin}"})
with urllib.request.urlopen(req) as resp, open(f"{work}/http.db", "wb") as out:
    check(resp.headers["Content-Type"] == "application/vnd.sqlite3", "GET /admin/backup answers an SQLite file")
    while chunk := resp.read(1 << 20):
        out.write(chunk)
backups["GET /admin/backup"] = (t0, f"{work}/http.db")
time.sleep(1.0)
stop.set()
for t in threads:
    t.join()
with lock:
    all_acked = list(acked)
print(f"     {len(all_acked)} events acknowledged during the drill")

for name, (started, path) in backups.items():
    target = f"{work}/restored-{os.path.basename(path)}"
    r = run("restore", path, "--db", target)
    check(r.returncode == 0, f"{name}: restored into a fresh database ({r.stdout.strip().splitlines()[0] if r.stdout else r.stderr.strip()})")
    db = sqlite3.connect(target)
    check(db.execute("PRAGMA integrity_check").fetchone()[0] == "ok", f"{name}: integrity_check ok")
    present = {row[0] for row in db.execute("SELECT id FROM event")}
    before = [i for i, at in all_acked if at < started]
    missing = [i for i in before if i not in present]
    check(before and not missing, f"{name}: all {len(before)} events acknowledged before it began are there (missing {missing[:5]})")
    acked_ids = {i for i, _ in all_acked}
    drill = {row[0] for row in db.execute("SELECT id FROM event WHERE description LIKE 'drill %'")}
    check(drill <= acked_ids, f"{name}: and none that was not acknowledged ({len(drill - acked_ids)})")
    db.close()

r = run("restore", f"{work}/cli.db", "--db", live)
check(r.returncode != 0 and "stop it first" in r.stderr, f"a restore onto the running service's database is refused: {r.stderr.strip()[:100]}")
log = run("audit", "--db", live, "--action", "backup_taken").stdout
check(log.count("backup_taken") >= 2 and "drill admin" in log, "the audit log records both backups")

# The command line's administrative actions are in the log too, with the system user.
spare = run("token", "create", "--role", "viewer", "--name", "drill spare", "--db", live)
number = spare.stderr.split("#")[1].split()[0]
run("token", "revoke", number, "--db", live)
r = run("import", "GeoData/industry.geojson", "--layer", "industry", "--activate", "--db", live)
check(r.returncode == 0, "wangge import beside the running service")
log = run("audit", "--db", live, "--limit", "10").stdout
check(f"token_created\ttoken #{number}" in log and f"token_revoked\ttoken #{number}" in log, f"token #{number} created and revoked, in the log")
check("boundaries_imported\tindustry" in log and "version_activated\tindustry" in log and "command line" in log, "the CLI import and its activation, in the log")
restored_log = run("audit", "--db", f"{work}/restored-cli.db", "--action", "restored").stdout
check("restored" in restored_log, "a restored database records its restore")
sys.exit(1 if failures else 0)
