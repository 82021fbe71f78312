"""QGIS itself against the running service (issue 16): Debian's QGIS (3.22), headless, opens every collection with
its own OAPIF provider — events through an authentication configuration of type Basic with the token as the
password, as the README tells a GIS officer to do — and checks counts, field types, that times show the local time
the API wrote, a filtered count against the API's, that a wrong password opens nothing, and renders one PNG.

usage: qgis_check.py BASE_URL TOKEN OUT_DIR
"""
import json, os, sys, tempfile, urllib.parse, urllib.request

base, token, out = sys.argv[1:4]
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["QGIS_AUTH_DB_DIR_PATH"] = tempfile.mkdtemp()
from qgis.core import (QgsFillSymbol, QgsMarkerSymbol, QgsApplication, QgsAuthMethodConfig, QgsDataSourceUri, QgsFeatureRequest, QgsMapRendererSequentialJob,
                       QgsMapSettings, QgsVectorLayer, QgsRectangle, QgsCoordinateReferenceSystem)
from qgis.PyQt.QtCore import QSize, QVariant
from qgis.PyQt.QtGui import QColor

app = QgsApplication([], False)
QgsApplication.setPrefixPath("/usr", True)
app.initQgis()
failed = []

def expect(what, got, want):
    ok = got == want
    print(("ok  " if ok else "FAIL"), f"{what}: {got}" + ("" if ok else f", want {want}"))
    if not ok:
        failed.append(what)

def api(path, **query):
    url = base + path + ("?" + urllib.parse.urlencode(query) if query else "")
    req = urllib.request.Request(url, headers={"Authorization": "Bearer " + token})
    with urllib.request.urlopen(req) as r:
        return json.load(r)

auth = QgsApplication.authManager()
auth.setMasterPassword("wangge-ci", True)
def basic(password):
    c = QgsAuthMethodConfig("Basic")
    c.setName("wangge " + password[:6])
    c.setConfig("username", "gis")
    c.setConfig("password", password)
    assert auth.storeAuthenticationConfig(c)[0]
    return c.id()

def layer(collection, authcfg=None):
    uri = QgsDataSourceUri()
    uri.setParam("url", base)
    uri.setParam("typename", collection)
    if authcfg:
        uri.setAuthConfigId(authcfg)
    return QgsVectorLayer(uri.uri(False), collection, "OAPIF")

good = basic(token)
layers = {}
for c in ["street", "community", "courtyard", "building", "functional", "industry", "events"]:
    l = layer(c, good if c == "events" else None)
    expect(f"QGIS opens {c}", l.isValid(), True)
    if not l.isValid():
        continue
    n = sum(1 for _ in l.getFeatures())
    expect(f"QGIS reads every {c} feature", n, api(f"/collections/{c}/items", limit=1)["numberMatched"])
    layers[c] = l

ev = layers.get("events")
if ev is not None:
    fields = {f.name(): f.type() for f in ev.fields()}
    expect("severity is an integer field", fields.get("severity") in (QVariant.Int, QVariant.LongLong), True)
    expect("occurred_at is a date-time field", fields.get("occurred_at"), QVariant.DateTime)
    expect("status is a string field", fields.get("status"), QVariant.String)
    # Times: QGIS 3.22 drops an offset and shows the wall-clock time written; the API writes the service's zone,
    # so what QGIS shows is the local time.
    first = api("/collections/events/items", limit=1)["features"][0]
    f = next(ev.getFeatures(QgsFeatureRequest().setFilterExpression(f"\"id\" = {first['id'] if isinstance(first['id'], int) else int(first['id'])}")))
    expect("QGIS shows the time the API wrote (local)", f["occurred_at"].toString("yyyy-MM-ddTHH:mm:ss"), first["properties"]["occurred_at"][:19])
    # A filter evaluated by QGIS gives the API's count for the same CQL2 filter.
    got = sum(1 for _ in ev.getFeatures(QgsFeatureRequest().setFilterExpression("\"status\" = 'closed' AND \"severity\" >= 3")))
    expect("a QGIS filter matches the API's CQL2 filter", got,
           api("/collections/events/items", limit=1, filter="status = 'closed' AND severity >= 3")["numberMatched"])
    bad = layer("events", basic("wg_wrong_password"))
    expect("a wrong Basic password opens nothing", bad.isValid() and sum(1 for _ in bad.getFeatures()) > 0, False)

    ev.renderer().setSymbol(QgsMarkerSymbol.createSimple({"color": "220,40,40", "size": "1.2", "outline_style": "no"}))
    for c, width in (("courtyard", "0.2"), ("community", "0.6")):
        if c in layers:
            layers[c].renderer().setSymbol(QgsFillSymbol.createSimple({"color": "0,0,0,0", "outline_color": "60,60,60", "outline_width": width}))
    settings = QgsMapSettings()
    settings.setLayers([ev] + [layers[c] for c in ("courtyard", "community") if c in layers])
    settings.setDestinationCrs(QgsCoordinateReferenceSystem("EPSG:4326"))
    extent = QgsRectangle(layers["community"].extent()) if "community" in layers else ev.extent()
    extent.scale(1.05)
    settings.setExtent(extent)
    settings.setOutputSize(QSize(900, 700))
    settings.setBackgroundColor(QColor("white"))
    job = QgsMapRendererSequentialJob(settings)
    job.start()
    job.waitForFinished()
    image = job.renderedImage()
    path = os.path.join(out, "qgis-events.png")
    image.save(path, "png")
    # Something was drawn: more than one colour in the picture.
    colours = {image.pixel(x, y) for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)}
    expect("QGIS rendered the grids and events (PNG kept)", len(colours) > 2, True)
    print("rendered", path)

print("QGIS check " + ("FAILED: " + ", ".join(failed) if failed else "passed"), flush=True)
# QGIS 3.22's Python bindings crash while the interpreter tears them down (exitQgis or not): leave without it,
# the checks being done and said.
sys.stderr.flush()
os._exit(1 if failed else 0)
