"""Units and reference systems, each written once.

Printed sizes are millimetres (mm) on the page and typographic points (pt, 1/72 inch) for type
and line widths; map coordinates are metres in UTM zone 32N, where a length measured on the
sheet times the scale is a true length on the ground (the UTM scale error here is under 0.05 %).
"""

MM_PER_PT = 25.4 / 72  # one typographic point in millimetres
PT_PER_MM = 72 / 25.4
METRIC_CRS = "EPSG:32632"  # UTM 32N: true metres over the whole district (scale bars, distances, the map)
WGS84 = "EPSG:4326"  # longitude/latitude as entries and web maps give them
