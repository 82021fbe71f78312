#!/usr/bin/env python3
"""Renders report pictures in headless Chromium (Debian's chromium + chromium-driver, driven by Selenium) and saves
each as PNG: an SVG choropleth and the HTML summary. Checks that they load without console errors, that the SVG
draws one filled path per grid with a legend, scale bar and north arrow, and that the summary shows its figures,
its map and its tables.

  python3 Tests/browser/report_check.py map.svg summary.html OUTDIR [GRIDS]
"""
import os
import sys

import chromium
from chromium import check, failures

svg, html, out = sys.argv[1], sys.argv[2], sys.argv[3]
grids = int(sys.argv[4]) if len(sys.argv) > 4 else None
os.makedirs(out, exist_ok=True)

driver = chromium.driver("1100,1400", "--allow-file-access-from-files")


def console_errors():
    return [e for e in driver.get_log("browser") if e["level"] in ("SEVERE", "WARNING")]


try:
    driver.get("file://" + os.path.abspath(svg))
    root = driver.execute_script("return document.documentElement.tagName")
    check(root == "svg", f"the SVG loads as an SVG document (root <{root}>)")
    facts = driver.execute_script("""
        const paths = [...document.querySelectorAll('path')].filter(p => p.querySelector('title'));
        const box = document.documentElement.getBBox();
        const fills = new Set(paths.map(p => getComputedStyle(p).fill));
        const texts = [...document.querySelectorAll('text')].map(t => t.textContent);
        return {paths: paths.length, width: box.width, height: box.height, fills: fills.size, texts: texts};
    """)
    check(facts["width"] > 500 and facts["height"] > 300, f"it is drawn at a real size ({facts['width']:.0f} × {facts['height']:.0f})")
    if grids is not None:
        check(facts["paths"] == grids, f"one path per grid ({facts['paths']} of {grids})")
    check(facts["fills"] >= 2, f"grids are filled in different classes ({facts['fills']} colours)")
    check("N" in facts["texts"], "a north arrow")
    check(any(t.endswith(" m") or t.endswith(" km") for t in facts["texts"]), "a scale bar")
    check(len(facts["texts"]) > 10, f"a legend and grid names ({len(facts['texts'])} texts)")
    driver.save_screenshot(os.path.join(out, "report-map.png"))
    check(not console_errors(), "no console errors for the SVG")

    driver.get("file://" + os.path.abspath(html))
    facts = driver.execute_script("""
        return {title: document.title, cards: document.querySelectorAll('.card').length,
                svg: document.querySelectorAll('svg path').length, tables: document.querySelectorAll('table').length,
                rows: document.querySelectorAll('table tr').length, height: document.body.scrollHeight};
    """)
    # Six headline figures and five of the standard's (立案, 应结案, 结案率, 按期结案率, 挂账).
    check(facts["cards"] == 11, f"six headline figures and five of the standard's ({facts['cards']})")
    check(facts["svg"] > 5, f"the map is inside the page ({facts['svg']} paths)")
    check(facts["tables"] >= 2 and facts["rows"] > 10, f"tables of grids, departments and types ({facts['tables']} tables, {facts['rows']} rows)")
    driver.set_window_size(1100, min(facts["height"] + 50, 6000))
    driver.save_screenshot(os.path.join(out, "report-summary.png"))
    check(not console_errors(), "no console errors for the summary")
finally:
    driver.quit()

print("screenshots:", os.path.join(out, "report-map.png"), os.path.join(out, "report-summary.png"))
sys.exit(1 if failures else 0)
