"""What the browser checks share: headless Chromium from Debian (chromium + chromium-driver) under Selenium, with
the console log kept, and ok/FAIL lines that remember the failures."""
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

failures = []


def driver(window, *extra):
    """A headless Chromium with its browser console logged, `window` as "WIDTH,HEIGHT"."""
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for a in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", f"--window-size={window}", "--lang=zh-CN", *extra]:
        options.add_argument(a)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)


def check_console(driver, body, expected=lambda message: False):
    """No console errors or warnings and no script errors on the page (`body`'s data-errors), besides the one
    warning our own getImageData readbacks cause (willReadFrequently) and those `expected(message)` allows."""
    logs = [e for e in driver.get_log("browser")
            if e["level"] in ("SEVERE", "WARNING") and "willReadFrequently" not in e["message"] and not expected(e["message"])]
    for e in logs:
        print("     console:", e["level"], e["message"])
    check(not logs, "no console errors or warnings")
    check(body.get_attribute("data-errors") in (None, "0"), "no script errors")
