#!/usr/bin/env python3
"""Drives the running service's Open311 GeoReport v2 endpoint with a real client library from PyPI (georeport,
which reads services and requests in JSON and in XML) and posts a report form-encoded, as Open311 clients do.

  python3 .ci/open311_check.py BASE_URL REPORTER_TOKEN
"""
import sys

import requests
from georeport import GeoReport

base, token = sys.argv[1].rstrip("/") + "/open311/v2", sys.argv[2]
failures = 0


def check(ok, what):
    global failures
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures += 1


for fmt in ("json", "xml"):
    client = GeoReport(base, output_format=fmt)
    services = client.get_service_list()
    check(len(services) == 21 and any(s["service_code"] == "garbage" for s in services), f"{fmt}: {len(services)} services listed")
    definition = client.get_service_definition("garbage")
    attributes = definition["attributes"] if fmt == "json" else definition["attributes"]["attribute"]
    check([a["code"] for a in attributes] == ["severity", "channel"], f"{fmt}: garbage's attributes are severity and channel")

# A report posted form-encoded with an api_key, as Open311 clients send it.
r = requests.post(f"{base}/requests.json", data={
    "api_key": token, "service_code": "street_vending", "lat": "38.0612", "long": "114.4526",
    "description": "占道经营 Open311 client check", "first_name": "测试", "email": "ci@example.org",
    "attribute[severity]": "2", "attribute[channel]": "web"})
check(r.status_code == 201, f"POST requests.json answers {r.status_code}")
request_id = r.json()[0]["service_request_id"]
check(request_id.isdigit(), f"the new request's id is {request_id}")

for fmt in ("json", "xml"):
    client = GeoReport(base, output_format=fmt)
    one = client.get_service_request(request_id)
    check(one["service_request_id"] == request_id and one["status"] == "open" and one["service_code"] == "street_vending",
          f"{fmt}: request {request_id} reads back open, as street_vending")
    listed = client.get_service_requests(service_code="street_vending", status="open")
    listed = listed if isinstance(listed, list) else [listed]
    check(any(x["service_request_id"] == request_id for x in listed), f"{fmt}: it is among the open street_vending requests")

# Errors are Open311's list, with the HTTP status.
bad = requests.post(f"{base}/requests.json", data={"api_key": token, "service_code": "garbage", "address_string": "西苑路 1 号",
                                                    "description": "no coordinates"})
check(bad.status_code == 400 and bad.json()[0]["code"] == 400 and "geocoder" in bad.json()[0]["description"],
      f"an address without coordinates is refused clearly ({bad.status_code})")

sys.exit(1 if failures else 0)
