#!/usr/bin/env python3
"""The people and organisations on the grids, as a GIS officer loads them over HTTP (issue 11): the sample's
responsibilities, roster, organisations, party organisation, joint building and service points go in with PUT (the roster and the
organisations also round-trip through their CSV exports), and what reads back is what was sent; the party totals are
the account's; every organisation is in the overlay grid the sample says groups it.

  python3 .ci/community_check.py BASE_URL GIS_TOKEN ADMIN_TOKEN GEODATA_DIR
"""
import json
import sys
import urllib.error
import urllib.request

base, gis, admin, geodata = sys.argv[1].rstrip("/"), sys.argv[2], sys.argv[3], sys.argv[4]
failures = 0


def check(ok, what):
    global failures
    print(("ok   " if ok else "FAIL ") + what)
    failures += 0 if ok else 1


def call(method, path, token, body=None, content_type="application/json"):
    headers = {"Authorization": f"Bearer {token}"}
    if body is not None:
        headers["Content-Type"] = content_type
    req = urllib.request.Request(base + path, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def put(path, file, content_type="application/json"):
    data = open(f"{geodata}/{file}", "rb").read() if isinstance(file, str) else file
    status, body = call("PUT", path, gis, data, content_type)
    check(status == 200, f"PUT {path} ({content_type}): {status} {body[:160]!r}")


def get_json(path, token=admin):
    status, body = call("GET", path, token)
    check(status == 200, f"GET {path}: {status}")
    return json.loads(body)


put("/staff/responsibilities", "responsibilities.json")
put("/staff", "staff.json")
put("/organisations", "organisations.geojson", "application/geo+json")
put("/party", "party.json")
put("/joint-building", "joint_building.json")
put("/reports/services/points", "services.geojson", "application/geo+json")  # also a GIS document the fuzzing may replace

sent = json.load(open(f"{geodata}/staff.json"))
roster = get_json("/staff?phones=true")
key = lambda a: (a["person"], a["grid"], a["role"], a["valid_from"], a["valid_to"])
check(roster["people"] == sorted(sent["people"], key=lambda p: p["id"]), f"the roster's {len(sent['people'])} people read back as sent")
check(sorted(map(key, roster["appointments"])) == sorted(map(key, sent["appointments"])),
      f"and its {len(sent['appointments'])} appointments")

# The CSV export, sent back as it is, changes nothing.
status, csv = call("GET", "/staff?f=csv&phones=true", admin)
put("/staff", csv, "text/csv")
check(get_json("/staff?phones=true") == roster, "the roster's CSV export, imported again, gives the same roster")
status, csv = call("GET", "/organisations?f=csv&phones=true", admin)
before = get_json("/organisations?phones=true")
put("/organisations", csv, "text/csv")
check(get_json("/organisations?phones=true") == before, "the organisations' CSV export, imported again, gives the same features")

party = get_json("/reports/party?level=street", gis)["totals"]
check((party["direct"], party["in_service"], party["retired"], party["floating"]) == (1158, 4451, 658, 32),
      f"party members as in the account: {party}")

sample = {f["id"]: f["properties"] for f in json.load(open(f"{geodata}/organisations.geojson"))["features"]}
served = {f["id"]: f["properties"] for f in before["features"]}
wrong = [i for i, p in sample.items() if p["grid"] not in served[i][p["layer"]]]
check(len(served) == len(sample) and not wrong, f"every organisation is in the grid that groups it ({len(served)}; wrong: {wrong[:5]})")

vacancies = get_json("/staff/vacancies", gis)
check(vacancies["grids"] >= 1, f"the sample's vacancies are listed ({vacancies['grids']} grids)")
sys.exit(1 if failures else 0)
