#!/usr/bin/env python3
"""The fastest whole Shapely 2 script we could write for what `wangge assign` does on the bench data: read the
grids (GeoJSON) and the points (CSV), find each point's grid at every level, write the CSV with one column per
level.

What makes it fast, all vectorised (no Python loop per point): the grids read as WKB (the bench's
`grids.wkb.tsv`; or GeoJSON with orjson and `shapely.polygons` from coordinate arrays); pyarrow's CSV reader and writer (pandas as the fallback); the points binned into cells, and
per level an STRtree queried once per occupied cell rather than per point; a cell lying wholly inside a polygon
(prepared `contains`) takes that polygon for all its points at once; only points in cells an edge crosses are
tested, with prepared `contains_xy`.

  python3 bench/assign_shapely.py GRIDS.wkb.tsv|GRIDS.geojson POINTS.csv OUT.csv

Points on an edge get no grid here (`contains` is strict), where Wangge picks one by its boundary rule; with random
points that is a handful of rows in a million.
"""
import os
import sys

os.environ.setdefault("OMP_NUM_THREADS", "1")
import numpy as np
import shapely

try:
    import orjson as json_lib
    loads = json_lib.loads
except ImportError:
    import json as json_lib
    loads = json_lib.loads

grids_path, points_path, out_path = sys.argv[1:4]
try:
    import pyarrow as pa
    import pyarrow.csv as pacsv
    table = pacsv.read_csv(points_path)
    x, y = table["lon"].to_numpy(), table["lat"].to_numpy()
except ImportError:
    pa = None
    import pandas as pd
    table = pd.read_csv(points_path)
    x, y = table["lon"].to_numpy(), table["lat"].to_numpy()
n = len(x)

# The grids by level, as (ids, polygons). The bench's `grids.wkb.tsv` (id, level, parent, hex WKB) is the
# quickest to read, as Wangge reads WKB from its database; a GeoJSON FeatureCollection works too.
levels = {}
if grids_path.endswith(".tsv"):
    rows = [line.split("\t") for line in open(grids_path)]
    geometries = shapely.from_wkb([r[3].strip() for r in rows])
    for r, g in zip(rows, geometries):
        levels.setdefault(r[1], ([], []))
        levels[r[1]][0].append(int(r[0]))
        levels[r[1]][1].append(g)
else:
    with open(grids_path, "rb") as f:
        features = loads(f.read())["features"]
    for feature in features:
        rings = [np.asarray(r, dtype=float) for r in feature["geometry"]["coordinates"]]
        level = levels.setdefault(feature["properties"]["level"], ([], []))
        level[0].append(feature["properties"]["id"])
        level[1].append(shapely.polygons(rings[0], holes=rings[1:] or None))


# Points binned into cells about the size of a small grid; each occupied cell becomes a box.
finite = np.isfinite(x) & np.isfinite(y)
size = 0.001
cx = np.floor(np.where(finite, x, 0) / size).astype(np.int64)
cy = np.floor(np.where(finite, y, 0) / size).astype(np.int64)
key = (cx << 32) ^ (cy & 0xFFFFFFFF)
key[~finite] = np.iinfo(np.int64).min
order = np.argsort(key, kind="stable")
cells, first, count = np.unique(key[order], return_index=True, return_counts=True)
valid = cells != np.iinfo(np.int64).min
cell_x = (cells >> 32).astype(float) * size
cell_y = (cells & 0xFFFFFFFF).astype(np.int64)
cell_y = np.where(cell_y >= 1 << 31, cell_y - (1 << 32), cell_y).astype(float) * size
boxes = shapely.box(cell_x, cell_y, cell_x + size, cell_y + size)

columns = {}
for level, (level_ids, level_polygons) in levels.items():
    polygons = np.array(level_polygons, dtype=object)
    ids = np.array(level_ids, dtype=np.int64)
    shapely.prepare(polygons)
    tree = shapely.STRtree(polygons)
    out = np.full(n, -1, dtype=np.int64)
    cell_index, polygon_index = tree.query(boxes)
    keep = valid[cell_index]
    cell_index, polygon_index = cell_index[keep], polygon_index[keep]
    whole = shapely.contains(polygons[polygon_index], boxes[cell_index])
    # Cells wholly inside one polygon: every point in them.
    for_cells = np.repeat(polygon_index[whole], count[cell_index[whole]])
    starts = np.repeat(first[cell_index[whole]], count[cell_index[whole]])
    offsets = np.arange(len(starts)) - np.repeat(np.cumsum(count[cell_index[whole]]) - count[cell_index[whole]], count[cell_index[whole]])
    out[order[starts + offsets]] = ids[for_cells]
    # Cells an edge crosses: each point against each candidate.
    ci, pi = cell_index[~whole], polygon_index[~whole]
    k = count[ci]
    pt = order[np.repeat(first[ci], k) + (np.arange(k.sum()) - np.repeat(np.cumsum(k) - k, k))]
    poly = np.repeat(pi, k)
    inside = shapely.contains_xy(polygons[poly], x[pt], y[pt])
    out[pt[inside]] = ids[poly[inside]]
    columns[level] = out

if pa is not None:
    for level, out in columns.items():
        table = table.append_column(level, pa.array(out, mask=out < 0))
    pacsv.write_csv(table, out_path)
else:
    for level, out in columns.items():
        table[level] = pd.array(np.where(out < 0, 0, out), dtype="Int64").where(out >= 0)
    table.to_csv(out_path, index=False)
