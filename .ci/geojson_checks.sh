#!/usr/bin/env bash
# GeoJSON out, checked with real clients against the running service (issue 6):
#   GDAL's OAPIF driver lists every collection with the counts SQLite gives, ogr2ogr downloads each to a GeoPackage
#   whole, a bbox query matches an independent count; exports read back with ogrinfo, exterior rings CCW;
#   the /map page in headless Chromium shows the grids and events without console errors, and takes a report;
#   reports as GeoJSON read by ogrinfo, CSV totals against SQLite, the SVG and the HTML summary rendered in Chromium.
# Usage: .ci/geojson_checks.sh BASE_URL WANGGE_BINARY DATABASE WORKDIR
set -euo pipefail
base=$1 wangge=$2 db=$3 work=$4
mkdir -p "$work"
command -v ogrinfo >/dev/null && command -v sqlite3 >/dev/null && command -v chromedriver >/dev/null && /usr/bin/python3 -c "import qgis.core" 2>/dev/null || \
    { apt-get install -y gdal-bin sqlite3 chromium chromium-driver fonts-wqy-microhei &&
      apt-get install -y --no-install-recommends python3-qgis qgis-providers; }
python3 -c "import selenium" 2>/dev/null || pip install -q selenium

viewer=$("$wangge" token create --role viewer --name ci-geojson --db "$db")
export GDAL_HTTP_HEADERS="Authorization: Bearer $viewer"
fail=0
expect() {  # expect WHAT GOT WANT
    if [ "$2" = "$3" ]; then echo "ok   $1: $2"; else echo "FAIL $1: got $2, want $3"; fail=1; fi
}
q() { sqlite3 "$db" "$1"; }
declare -A want=(
    [street]=$(q "SELECT count(*) FROM grid WHERE layer='residential' AND level='street'")
    [community]=$(q "SELECT count(*) FROM grid WHERE layer='residential' AND level='community'")
    [courtyard]=$(q "SELECT count(*) FROM grid WHERE layer='residential' AND level='courtyard'")
    [building]=$(q "SELECT count(*) FROM grid WHERE layer='residential' AND level='building'")
    [functional]=$(q "SELECT count(*) FROM grid WHERE layer='functional'")
    [industry]=$(q "SELECT count(*) FROM grid WHERE layer='industry'")
    [events]=$(q "SELECT count(*) FROM event")
    [organisations]=$(q "SELECT count(*) FROM organisation")
)

# 1. ogrinfo lists every collection with its count; ogr2ogr downloads each to a GeoPackage with every feature.
ogrinfo -ro -al -so "OAPIF:$base" > "$work/ogrinfo.txt"
for c in street community courtyard building functional industry events organisations; do
    got=$(awk -v c="$c" '$1 == "Layer" && $2 == "name:" { layer = $3 } $1 == "Feature" && $2 == "Count:" && layer == c { print $3 }' "$work/ogrinfo.txt")
    expect "ogrinfo OAPIF $c" "$got" "${want[$c]}"
    ogr2ogr -f GPKG "$work/$c.gpkg" "OAPIF:$base" "$c"
    expect "ogr2ogr $c.gpkg" "$(ogrinfo -ro -so "$work/$c.gpkg" "$c" | awk '/Feature Count:/ { print $3 }')" "${want[$c]}"
done

# The events again with the token as HTTP Basic's password (what QGIS's authentication manager can send), and a
# wrong password refused rather than read as an empty layer.
basic_count=$(env -u GDAL_HTTP_HEADERS GDAL_HTTP_AUTH=BASIC GDAL_HTTP_USERPWD="gis:$viewer" ogrinfo -ro -so "OAPIF:$base" events \
    | awk '/Feature Count:/ { print $3 }')
expect "ogrinfo OAPIF events with Basic auth" "$basic_count" "${want[events]}"
if env -u GDAL_HTTP_HEADERS GDAL_HTTP_AUTH=BASIC GDAL_HTTP_USERPWD="gis:wg_wrong" ogrinfo -ro -so "OAPIF:$base" events >/dev/null 2>&1; then
    expect "ogrinfo OAPIF with a wrong Basic password" "opened" "refused"
else
    expect "ogrinfo OAPIF with a wrong Basic password" "refused" "refused"
fi

# Filter push-down: GDAL sees filter-lang in the API document and the queryables, sends the -where as a CQL text
# filter (checked in its debug log: the request carries filter=), and the count is SQLite's for the same condition.
pushed=$(CPL_DEBUG=ON ogrinfo -ro -so -where "status = 'closed' AND severity >= 3" "OAPIF:$base" events 2>&1)
expect "GDAL pushes -where down as a CQL filter" "$(grep -c 'Fetch(.*items?.*filter=' <<< "$pushed" | awk '{ print ($1 > 0) }')" 1
expect "filtered events via GDAL" "$(awk '/Feature Count:/ { print $3 }' <<< "$pushed")" "$(q "SELECT count(*) FROM event WHERE status = 'closed' AND severity >= 3")"
expect "CQL2 over HTTP: LIKE, IN, IS NULL and a time against SQLite" \
    "$(curl -sf -G -H "Authorization: Bearer $viewer" "$base/collections/events/items" --data-urlencode limit=1 \
        --data-urlencode "filter=type LIKE 'g%' AND severity IN (1, 2) AND functional IS NULL AND occurred_at >= TIMESTAMP('2026-08-01T00:00:00+08:00')" \
        | python3 -c "import json, sys; print(json.load(sys.stdin)['numberMatched'])")" \
    "$(q "SELECT count(*) FROM event WHERE type GLOB 'g*' AND severity IN (1, 2) AND functional = '' AND occurred_at >= 1785513600")"

# 2. A bbox through GDAL (-spat becomes the bbox parameter) against SQLite counting the same box itself.
box="114.445 38.055 114.46 38.065"
read -r x0 y0 x1 y1 <<< "$box"
got=$(ogr2ogr -f GeoJSON /vsistdout/ "OAPIF:$base" events -spat $box | python3 -c "import json, sys; print(len(json.load(sys.stdin)['features']))")
expect "events in bbox via GDAL" "$got" "$(q "SELECT count(*) FROM event WHERE lon BETWEEN $x0 AND $x1 AND lat BETWEEN $y0 AND $y1")"

# 3. Exports read back by ogrinfo; every exterior ring counter-clockwise, holes clockwise (checked here, in Python).
"$wangge" export grids --db "$db" -o "$work/grids.geojson"
"$wangge" export grids --db "$db" --level courtyard -o "$work/courtyards.geojsonseq"
"$wangge" export events --db "$db" -o "$work/events.geojson"
"$wangge" export events --db "$db" -o "$work/events.csv"
# Times: +08:00 by default; WANGGE_TIME_ZONE writes another zone's offsets for the same instants (the sample's Q3
# is summer time in Berlin, +02:00; the events CI itself posted today may be winter time, +01:00); a name the tz
# database does not know stops the command.
WANGGE_TIME_ZONE=Europe/Berlin "$wangge" export events --db "$db" -o "$work/events-berlin.csv"
expect "export times: +08:00 by default, Berlin's offsets when configured, the same instants" "$(python3 - "$work/events.csv" "$work/events-berlin.csv" <<'PY'
import csv, sys
from datetime import datetime
a, b = (list(csv.DictReader(open(p, encoding="utf-8"))) for p in sys.argv[1:3])
times = lambda rows: [r[k] for r in rows for k in ("occurred_at", "reported_at")]
ta, tb = times(a), times(b)
offsets = {t[-6:] for t in tb}
print(len(ta) > 0 and all(t.endswith("+08:00") for t in ta), "+02:00" in offsets and offsets <= {"+01:00", "+02:00"},
      [datetime.fromisoformat(t) for t in ta] == [datetime.fromisoformat(t) for t in tb])
PY
)" "True True True"
expect "an unknown WANGGE_TIME_ZONE is refused" "$(WANGGE_TIME_ZONE=Asia/Beijing "$wangge" export events --db "$db" -o "$work/never.csv" 2>&1 | grep -c "not a time zone the tz database knows"; ls "$work/never.csv"* 2>/dev/null | wc -l)" "1
0"
all_grids=$(q "SELECT count(*) FROM grid")
expect "export grids.geojson" "$(ogrinfo -ro -al -so "$work/grids.geojson" | awk '/Feature Count:/ { print $3 }')" "$all_grids"
expect "export courtyards.geojsonseq" "$(ogrinfo -ro -al -so "$work/courtyards.geojsonseq" | awk '/Feature Count:/ { print $3 }')" "${want[courtyard]}"
expect "export events.geojson" "$(ogrinfo -ro -al -so "$work/events.geojson" | awk '/Feature Count:/ { print $3 }')" "${want[events]}"
expect "export events.csv" "$(ogrinfo -ro -al -so -oo X_POSSIBLE_NAMES=lon -oo Y_POSSIBLE_NAMES=lat "$work/events.csv" | awk '/Feature Count:/ { print $3 }')" "${want[events]}"
got=$(python3 - "$work/grids.geojson" <<'PY'
import json, sys
def area2(r): return sum(x0 * y1 - x1 * y0 for (x0, y0, *_), (x1, y1, *_) in zip(r, r[1:]))
bad = 0
for f in json.load(open(sys.argv[1]))["features"]:
    g = f["geometry"]
    for p in ([g["coordinates"]] if g["type"] == "Polygon" else g["coordinates"]):
        bad += area2(p[0]) <= 0
        bad += sum(area2(h) >= 0 for h in p[1:])
print(bad)
PY
)
expect "rings wound against RFC 7946" "$got" 0

# 4. The map page in headless Chromium.
python3 "$(dirname "$0")/../Tests/browser/map_check.py" "$base" "$viewer" "$work/map.png" || fail=1
#    And reporting on it with a reporter token, found afterwards over the API (issue 13).
reporter=$("$wangge" token create --role reporter --name "map reporter" --db "$db")
python3 "$(dirname "$0")/../Tests/browser/map_report_check.py" "$base" "$reporter" "$work/map-report.png" || fail=1

# 5. Reports (issue 7): the sample's quarter per courtyard as a choropleth layer GDAL reads, CSV with a row per
#    courtyard whose counts add up to SQLite's own, the same over HTTP; the SVG and the summary in Chromium.
q="--period quarter --date 2026-08-15"
"$wangge" report grids --db "$db" --level courtyard $q -o "$work/courtyards-report.geojson"
"$wangge" report grids --db "$db" --level courtyard $q -o "$work/courtyards-report.csv"
"$wangge" report grids --db "$db" --level courtyard $q --figure resolution_rate -o "$work/courtyards-report.svg"
"$wangge" report summary --db "$db" $q -o "$work/summary.html"
expect "report choropleth read by ogrinfo" "$(ogrinfo -ro -al -so "$work/courtyards-report.geojson" | awk '/Feature Count:/ { print $3 }')" "${want[courtyard]}"
expect "report choropleth has resolution_rate" "$(ogrinfo -ro -al -so "$work/courtyards-report.geojson" | grep -c '^resolution_rate: Real')" 1
# 2026-Q3 in Asia/Shanghai: 2026-07-01T00:00+08:00 to 2026-10-01T00:00+08:00. A duplicate merged into another event
# is counted once, as the event it was merged into (schemathesis, acting as an admin before this, may merge some).
sqlite_q3=$(q "SELECT count(*) FROM event WHERE reported_at >= 1782835200 AND reported_at < 1790784000 AND courtyard IS NOT NULL AND duplicate_of IS NULL")
expect "report CSV counts add up to SQLite's" "$(python3 -c "import csv, sys; print(sum(int(r['received']) for r in csv.DictReader(open(sys.argv[1], encoding='utf-8'))))" "$work/courtyards-report.csv")" "$sqlite_q3"
curl -sf -H "Authorization: Bearer $viewer" "$base/reports/grids?level=courtyard&period=quarter&date=2026-08-15&f=geojson" -o "$work/courtyards-http.geojson"
expect "report over HTTP read by ogrinfo" "$(ogrinfo -ro -al -so "$work/courtyards-http.geojson" | awk '/Feature Count:/ { print $3 }')" "${want[courtyard]}"
"$wangge" report boundaries --db "$db" -o "$work/boundaries.json"
"$wangge" report boundaries --db "$db" -o "$work/boundary-defects.geojson"
expect "boundary defect layer read by ogrinfo" "$(ogrinfo -ro -al -so "$work/boundary-defects.geojson" | awk '/Feature Count:/ { print $3 }')" \
    "$(python3 -c "import json, sys; print(len(json.load(open(sys.argv[1]))['defects']))" "$work/boundaries.json")"
expect "every residential level covers the street" \
    "$(python3 -c "import json, sys; print(all(l['share_of_street'] == 1 for l in json.load(open(sys.argv[1]))['layers'] if l['layer'] == 'residential'))" "$work/boundaries.json")" True
"$wangge" report hotspots --db "$db" --period month --date 2026-08-01 -o "$work/hotspots.json"
"$wangge" report hotspots --db "$db" --period month --date 2026-08-01 -o "$work/hotspots.geojson"
expect "hot spot layer read by ogrinfo" "$(ogrinfo -ro -al -so "$work/hotspots.geojson" | awk '/Feature Count:/ { s += $3 } END { print s }')" \
    "$(python3 -c "import json, sys; d = json.load(open(sys.argv[1])); print(len(d['clusters']) + len(d['repeats']) + len(d['rising']))" "$work/hotspots.json")"
"$wangge" report services --db "$db" --radius 500 -o "$work/services-uncovered.geojson"
expect "uncovered service areas read by ogrinfo" "$(ogrinfo -ro -al -so "$work/services-uncovered.geojson" | awk '/Feature Count:/ { print $3 }')" \
    "$(curl -sf -H "Authorization: Bearer $viewer" "$base/reports/services?radius=500" | python3 -c "import json, sys; print(sum(1 for k in json.load(sys.stdin)['kinds'] if k['street_share'] < 1))")"
# QGIS (Debian's, with its own Python: /usr/bin/python3) opens every collection, events with Basic auth, and renders.
/usr/bin/python3 "$(dirname "$0")/qgis_check.py" "$base" "$viewer" "$work" 2>&1 | grep -v "^salt hex\|^hash hex\|^cipheriv hex" || fail=1
python3 "$(dirname "$0")/../Tests/browser/report_check.py" "$work/courtyards-report.svg" "$work/summary.html" "$work" "${want[courtyard]}" || fail=1

[ "$fail" = 0 ] && echo "GeoJSON checks passed" || { echo "GeoJSON checks FAILED"; exit 1; }
