#!/usr/bin/env python3
"""Reports an event on /map in headless Chromium with a reporter token, as a resident at a grid station would, and
finds it over the API (issue 13, item 4): the page knows the token may report, a click opens the form at that
point, an event of the same type already open a few metres away is listed as a possible duplicate before anything
is sent, a missing description and a bad phone number are refused in the form without storing anything, and the
report sent is stored exactly as typed, where it was clicked, and appears selected on the map.

  python3 Tests/browser/map_report_check.py http://127.0.0.1:8080 REPORTER_TOKEN report.png
"""
import json
import math
import sys
import time
import urllib.request
import uuid

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

import chromium
from chromium import check, failures

base, token, shot = sys.argv[1].rstrip("/"), sys.argv[2], sys.argv[3]


def api(path, body=None):
    req = urllib.request.Request(base + path, headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
                                 data=None if body is None else json.dumps(body).encode())
    with urllib.request.urlopen(req) as r:
        return json.load(r)


def wait(what, timeout=10.0):
    end = time.time() + timeout
    while time.time() < end:
        value = what()
        if value:
            return value
        time.sleep(0.1)
    return what()


def metres(lon1, lat1, lon2, lat2):
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * 6371008.8 * math.asin(math.sqrt(a))


def mine():
    return api("/collections/events/items?limit=1")["numberMatched"]


services = json.load(urllib.request.urlopen(base + "/open311/v2/services.json"))
kind = services[0]["service_code"]
driver = chromium.driver("1400,900")
try:
    driver.get(f"{base}/map#token={token}")
    body = driver.find_element(By.TAG_NAME, "body")
    check(wait(lambda: body.get_attribute("data-state") in ("ready", "failed"), 30) and body.get_attribute("data-state") == "ready", "the map is ready")
    check(body.get_attribute("data-may-report") == "1", "the page knows a reporter token may report")
    check(driver.find_element(By.ID, "report").is_displayed(), "the report section is shown")
    check(driver.find_element(By.ID, "report-mode").is_selected(), "for a reporter, a click on the map reports")
    events_before = int(body.get_attribute("data-events"))
    stored_before = mine()

    canvas = driver.find_element(By.ID, "map")
    ActionChains(driver).move_to_element_with_offset(canvas, 40, 30).click().perform()
    form = driver.find_element(By.ID, "report-form")
    check(wait(lambda: form.is_displayed() and form.get_attribute("data-lon")), "a click opens the form")
    lon, lat = float(form.get_attribute("data-lon")), float(form.get_attribute("data-lat"))
    where = wait(lambda: "›" in driver.find_element(By.ID, "report-where").text or "outside" in driver.find_element(By.ID, "report-where").text)
    print(f"     at {lon}, {lat}: {driver.find_element(By.ID, 'report-where').text!r}")
    check(where, "the form says which grids the point is in")

    # An open event of the same type eight metres east, reported over the API by someone else a moment ago.
    earlier = api("/events", {"type": kind, "severity": 2, "lon": lon + 8 / (111320 * math.cos(math.radians(lat))), "lat": lat,
                              "description": "reported earlier by phone", "channel": "hotline"})
    Select(driver.find_element(By.ID, "report-type")).select_by_value(kind)
    listed = wait(lambda: str(earlier["id"]) in (form.get_attribute("data-duplicates") or "").split(","))
    check(listed, f"event #{earlier['id']} 8 m away is listed as a possible duplicate before submitting ({form.get_attribute('data-duplicates')!r})")
    buttons = driver.find_elements(By.CSS_SELECTOR, f"#report-duplicates button[data-id='{earlier['id']}']")
    check(buttons and buttons[0].is_displayed() and " m · " in buttons[0].text, f"shown with its distance and status: {buttons[0].text if buttons else None!r}")

    # Refused in the form, and by the service, without storing anything.
    driver.find_element(By.ID, "report-submit").click()
    check(wait(lambda: "description" in driver.find_element(By.ID, "report-error").text), "a report without a description is refused in the form")
    driver.find_element(By.ID, "report-description").send_keys("not stored")
    driver.find_element(By.ID, "report-phone").send_keys("call me")
    driver.find_element(By.ID, "report-submit").click()
    check(wait(lambda: "reporter_phone" in driver.find_element(By.ID, "report-error").text),
          f"a bad phone number is refused by the service, naming the field: {driver.find_element(By.ID, 'report-error').text!r}")
    check("invalid" in driver.find_element(By.ID, "report-phone").get_attribute("class"), "and the phone field is marked")
    check(mine() == stored_before + 1, "nothing was stored by the refused reports")

    # The report itself: anonymous (no name), a phone number, text with Chinese and a newline.
    text = f"井盖缺失，行人易跌落\nmap check {uuid.uuid4().hex[:8]}"
    driver.find_element(By.ID, "report-description").clear()
    driver.find_element(By.ID, "report-description").send_keys(text)
    driver.find_element(By.ID, "report-phone").clear()
    driver.find_element(By.ID, "report-phone").send_keys("0311-8888 6666")
    Select(driver.find_element(By.ID, "report-severity")).select_by_value("3")
    driver.find_element(By.ID, "report-submit").click()
    new_id = wait(lambda: body.get_attribute("data-reported"))
    check(new_id is not None, f"the report was submitted (event #{new_id})")
    stored = api(f"/events/{new_id}")
    check(stored["description"] == text, "stored with the description exactly as typed")
    check(stored["type"] == kind and stored["severity"] == 3 and stored["channel"] == "web" and stored["status"] == "reported",
          f"with its type, severity, channel web and status reported ({stored['type']}, {stored['severity']}, {stored['channel']}, {stored['status']})")
    check(stored["reporter"]["name"] is None and stored["reporter"]["phone"] == "0311-8888 6666", f"anonymous, with the phone given: {stored['reporter']}")
    check(metres(stored["lon"], stored["lat"], lon, lat) < 0.01, f"where it was clicked ({metres(stored['lon'], stored['lat'], lon, lat):.4f} m)")
    check(mine() == stored_before + 2, "stored once")
    check(wait(lambda: int(body.get_attribute("data-events")) == events_before + 1), "the new event is on the map")
    check(wait(lambda: f"Event #{new_id}" in driver.find_element(By.ID, "info").text), "and selected, with its properties")
    check(f"#{new_id}" in driver.find_element(By.ID, "report-note").text, f"the page says it was stored: {driver.find_element(By.ID, 'report-note').text!r}")
    check(not form.is_displayed(), "the form closes")
    driver.save_screenshot(shot)

    # The refused report's own 422 is expected in the console.
    chromium.check_console(driver, body, expected=lambda m: "/events" in m and "422" in m)
finally:
    driver.quit()

print(f"screenshot: {shot}")
sys.exit(1 if failures else 0)
