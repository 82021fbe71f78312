#!/usr/bin/env python3
"""The usual geopandas script for what `wangge assign` does: read the grids with `read_file`, the points with
`read_csv`, one `sjoin` (predicate within) per level, `to_csv`.

  python3 bench/assign_geopandas.py GRIDS.geojson POINTS.csv OUT.csv
"""
import sys

import geopandas as gpd
import pandas as pd

grids_path, points_path, out_path = sys.argv[1:4]
grids = gpd.read_file(grids_path)
table = pd.read_csv(points_path)
points = gpd.GeoDataFrame(table, geometry=gpd.points_from_xy(table["lon"], table["lat"]), crs=grids.crs)
for level, group in grids.groupby("level"):
    joined = gpd.sjoin(points[["geometry"]], group[["id", "geometry"]], how="left", predicate="within")
    joined = joined[~joined.index.duplicated(keep="first")]
    table[level] = joined["id"].astype("Int64").astype(str).replace("<NA>", "")
table.to_csv(out_path, index=False)
