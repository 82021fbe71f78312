#!/usr/bin/env python3
"""Loads /map in headless Chromium (Debian's chromium + chromium-driver, driven by Selenium) against a running
service and checks that a new user sees the grids and events: every grid and event loaded, grid outlines and event
dots actually painted on the canvas, a click shows properties, zoom and layer toggles redraw, and the browser's
console has no errors. Saves a screenshot.

  python3 Tests/browser/map_check.py http://127.0.0.1:8080 TOKEN map.png
"""
import json
import re
import sys
import time
import urllib.request

from selenium import webdriver
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By

import chromium
from chromium import check, failures

base, token, shot = sys.argv[1].rstrip("/"), sys.argv[2], sys.argv[3]


def api(path):
    req = urllib.request.Request(base + path, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(req) as r:
        return json.load(r)


collections = api("/collections")["collections"]
expected_grids = sum(api(f"/collections/{c['id']}/items?limit=1")["numberMatched"] for c in collections if c["id"] not in ("events", "organisations", "components"))
expected_organisations = api("/collections/organisations/items?limit=1")["numberMatched"]
expected_events = api("/collections/events/items?limit=1")["numberMatched"]

driver = chromium.driver("1400,900")


# Paint statistics of the canvas: pixels in an event status colour, and dark grid-outline pixels.
PAINT = """
const c = document.getElementById('map'), d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
const colours = ['#e03131','#f76707','#f59f00','#1c7ed6','#0ca678','#2b8a3e','#5c940d','#868e96']
  .map(h => [1, 3, 5].map(i => parseInt(h.slice(i, i + 2), 16)));
let events = 0, outlines = 0;
for (let i = 0; i < d.length; i += 4) {
  const r = d[i], g = d[i + 1], b = d[i + 2];
  if (colours.some(([cr, cg, cb]) => Math.abs(r - cr) + Math.abs(g - cg) + Math.abs(b - cb) < 12)) events++;
  else if (r < 90 && g < 110 && b < 140) outlines++;
}
return {events, outlines, pixels: d.length / 4};
"""

try:
    driver.get(f"{base}/map#token={token}")
    state = None
    for _ in range(300):
        state = driver.execute_script("return document.body.dataset.state")
        if state in ("ready", "failed"):
            break
        time.sleep(0.1)
    time.sleep(0.3)  # the last animation frame
    body = driver.find_element(By.TAG_NAME, "body")
    check(state == "ready", f"page reached state ready (got {state})")
    check(body.get_attribute("data-grids") == str(expected_grids), f"all {expected_grids} grids loaded (page says {body.get_attribute('data-grids')})")
    check(body.get_attribute("data-events") == str(expected_events), f"all {expected_events} events loaded (page says {body.get_attribute('data-events')})")
    check(body.get_attribute("data-organisations") == str(expected_organisations),
          f"all {expected_organisations} organisations loaded (page says {body.get_attribute('data-organisations')})")
    check("#token" not in driver.current_url, "the token is removed from the address bar")
    check(body.get_attribute("data-may-report") == "0" and not driver.find_element(By.ID, "report").is_displayed(),
          "a viewer token is offered no report form")
    paint = driver.execute_script(PAINT)
    print(f"     canvas: {paint}")
    check(paint["events"] > 2000, "event dots are painted in status colours")
    check(paint["outlines"] > 2000, "grid outlines are painted")
    driver.save_screenshot(shot)

    canvas = driver.find_element(By.ID, "map")
    scale_before = driver.find_element(By.ID, "scale").text
    ActionChains(driver).move_to_element(canvas).click().perform()
    time.sleep(0.3)
    info = driver.find_element(By.ID, "info").text
    check("code" in info or "Event #" in info, f"a click on the map shows properties: {info[:80]!r}")
    ActionChains(driver).scroll_from_origin(webdriver.common.actions.wheel_input.ScrollOrigin.from_element(canvas), 0, -600).perform()
    time.sleep(0.3)
    check(driver.find_element(By.ID, "scale").text != scale_before, "wheel zoom changes the scale")
    before = driver.execute_script(PAINT)["outlines"]
    for label in driver.find_elements(By.CSS_SELECTOR, "#layers label"):
        label.find_element(By.TAG_NAME, "input").click()
    time.sleep(0.3)
    after = driver.execute_script(PAINT)["outlines"]
    check(after < before / 2, f"switching the grid layers off removes the outlines ({before} → {after} dark pixels)")

    # Organisations: off at first; the toggles paint them as diamonds in their kind's colour.
    DIAMONDS = """
        const c = document.getElementById('map'), d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        const kinds = ['#7048e8', '#d6336c', '#1098ad'].map(h => [1, 3, 5].map(i => parseInt(h.slice(i, i + 2), 16)));
        let n = 0;
        for (let i = 0; i < d.length; i += 4) if (kinds.some(([r, g, b]) => Math.abs(d[i] - r) + Math.abs(d[i + 1] - g) + Math.abs(d[i + 2] - b) < 12)) n++;
        return n;"""
    none = driver.execute_script(DIAMONDS)
    for label in driver.find_elements(By.CSS_SELECTOR, "#layers label"):
        label.find_element(By.TAG_NAME, "input").click()  # grids back on
    for box in driver.find_elements(By.CSS_SELECTOR, "#organisations input"):
        box.click()
    time.sleep(0.3)
    some = driver.execute_script(DIAMONDS)
    check(some > none + 500, f"switching organisations on paints them ({none} → {some} pixels in the kinds' colours)")
    # A click on a courtyard shows its staff and theme (the viewer token sees names, not phones). The click picks
    # the smallest grid first (a building); the courtyard is one of the hits offered.
    for box in driver.find_elements(By.CSS_SELECTOR, "#organisations input"):
        box.click()
    driver.find_element(By.ID, "fit").click()
    time.sleep(0.3)
    ActionChains(driver).move_to_element(canvas).click().perform()
    time.sleep(0.3)
    buttons = [b for b in driver.find_elements(By.CSS_SELECTOR, "#info .hits button") if b.text == "courtyard"]
    check(bool(buttons), "the click offers the courtyard under it")
    if buttons:
        buttons[0].click()
        time.sleep(0.2)
    cells = [r.find_elements(By.TAG_NAME, "td") for r in driver.find_elements(By.CSS_SELECTOR, "#info table:first-of-type tr")]
    code = next((c[1].text for c in cells if len(c) == 2 and c[0].text == "code"), None)
    check(code is not None, f"the courtyard's properties are shown (code {code})")
    staff = api(f"/grids/{code}/staff") if code else {"staff": []}
    for _ in range(50):
        if driver.find_elements(By.CSS_SELECTOR, "#grid-staff tr"):
            break
        time.sleep(0.1)
    rows = driver.find_elements(By.CSS_SELECTOR, "#grid-staff tr")
    own = [s for s in staff["staff"] if s["grid"] == code]
    check(len(rows) >= len(own) > 0, f"its staff are listed ({len(rows)} rows for {len(own)} appointments)")
    names = driver.find_element(By.ID, "grid-staff").text
    check(all(s["name"] in names for s in own), "with their names")
    check(re.search(r"1\d{10}", names) is None, "and no phones for a viewer")
    theme = driver.find_elements(By.ID, "grid-theme")
    check(bool(theme) and theme[0].text != "", f"and its theme ({theme[0].text if theme else None})")

    # Colour the courtyards by the sample quarter's resolution rate (a report figure).
    driver.execute_script("document.getElementById('choro-period').value = 'quarter'; document.getElementById('choro-date').value = '2026-08-15';")
    driver.find_element(By.ID, "choro-go").click()
    for _ in range(100):
        if body.get_attribute("data-choropleth") not in (None, "0"):
            break
        time.sleep(0.1)
    time.sleep(0.3)
    courtyards = api("/collections/courtyard/items?limit=1")["numberMatched"]
    check(body.get_attribute("data-choropleth") == str(courtyards), f"courtyards coloured by a report figure ({body.get_attribute('data-choropleth')} of {courtyards})")
    check(int(body.get_attribute("data-choropleth-classes") or 0) >= 2, f"in classes ({body.get_attribute('data-choropleth-classes')})")
    check(len(driver.find_elements(By.CSS_SELECTOR, "#choro-legend .row")) >= 2, "with a legend")
    greens = driver.execute_script("""
        const c = document.getElementById('map'), d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        const ramp = ['#edf8e9','#bae4b3','#74c476','#31a354','#006d2c'].map(h => [1, 3, 5].map(i => parseInt(h.slice(i, i + 2), 16)));
        let n = 0;
        for (let i = 0; i < d.length; i += 4) if (ramp.some(([r, g, b]) => Math.abs(d[i] - r) + Math.abs(d[i + 1] - g) + Math.abs(d[i + 2] - b) < 9)) n++;
        return n;""")
    check(greens > 5000, f"the map is painted in the ramp's greens ({greens} pixels)")
    driver.save_screenshot(shot.replace(".png", "-report.png"))

    chromium.check_console(driver, body)
finally:
    driver.quit()

print(f"screenshot: {shot}")
sys.exit(1 if failures else 0)
