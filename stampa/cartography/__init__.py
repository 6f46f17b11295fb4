"""The district map: planning (views, inset, placement), drawing with ReportLab, layout record."""

from .draw import draw_map
from .geometry import View, Viewport
from .layout import MapLayout, PlacedEntry, ScaleBarRecord, ViewRecord, layout_report, views_report
from .plan import INSET, MAIN, MapPlan, PlacedMarker, inset_option, plan_map
from .sheets import Sheet, SheetsPlan, draw_overview, draw_sheet, plan_sheets
from .symbols import MarkerStyle

__all__ = [
    "INSET",
    "MAIN",
    "MapLayout",
    "MapPlan",
    "MarkerStyle",
    "PlacedEntry",
    "PlacedMarker",
    "ScaleBarRecord",
    "Sheet",
    "SheetsPlan",
    "View",
    "ViewRecord",
    "Viewport",
    "draw_map",
    "draw_overview",
    "draw_sheet",
    "inset_option",
    "layout_report",
    "plan_map",
    "plan_sheets",
    "views_report",
]
