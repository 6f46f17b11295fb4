"""The map plan and layout record: every entry placed once, nothing overlaps, the inset appears
where markers crowd (and only there), scales are true, the result is deterministic."""

from __future__ import annotations

import itertools
import time

import pytest
from pyproj import Geod

from stampa.cartography import INSET, MAIN, plan_map
from stampa.cartography.geometry import overlaps, to_utm
from tests.cartography_support import PIAZZA_VITTORIA, dense_edition, district, sparse_edition, synthetic_edition

FRAME = (400.0, 277.0)  # an A3-landscape-like map frame


@pytest.fixture(scope="module")
def d():
    return district()


@pytest.fixture(scope="module")
def dense(d):
    numbered = dense_edition(d)
    return numbered, plan_map(d, numbered, FRAME)


def _no_overlap(boxes, gap=0.0):
    for (ka, a), (kb, b) in itertools.combinations(boxes, 2):
        assert not overlaps(a, b, gap), f"{ka} e {kb} si sovrappongono: {a} {b}"


def _check_plan_clean(plan, n):
    numbers = sorted(m.number for m in plan.markers)
    assert numbers == list(range(1, n + 1))  # every entry exactly once
    for view in (MAIN, INSET):
        ms = [m for m in plan.markers if m.view == view]
        _no_overlap([(m.number, m.box_mm) for m in ms], gap=0.2)
        port = plan.main if view == MAIN else plan.inset
        for m in ms:
            b, f = m.box_mm, port.box
            assert f[0] <= b[0] and f[1] <= b[1] and b[2] <= f[2] and b[3] <= f[3], f"{m.number} esce dalla cornice"
            # a moved marker has a visible leader from its true place to its edge
            if m.displaced:
                (px, py), (ex, ey) = m.leader
                assert (px, py) == m.true_mm
                assert not (b[0] < px < b[2] and b[1] < py < b[3]), f"{m.number}: il segnaposto copre il suo punto"
                assert ((px - ex) ** 2 + (py - ey) ** 2) ** 0.5 >= 0.8, f"{m.number}: linea di richiamo invisibile"
            else:
                assert m.marker_mm == m.true_mm and m.leader is None
            # no marker hides another entry's true place
            for o in ms:
                if o.number != m.number:
                    x, y = o.true_mm
                    assert not (b[0] < x < b[2] and b[1] < y < b[3]), f"{m.number} copre il luogo di {o.number}"
    blocks = [plan.legend.box_mm, plan.legend.attribution_box_mm]
    if plan.inset is not None:
        blocks += [plan.inset_block_mm, plan.inset_source_mm]
    for m in plan.markers:
        if m.view == MAIN:
            for b in blocks:
                assert not overlaps(m.box_mm, b), f"{m.number} sotto un riquadro fisso"
    # comune names: off every marker, dot and block, and off each other
    main_boxes = [(f"n{m.number}", m.box_mm) for m in plan.markers if m.view == MAIN]
    label_boxes = [(lab.nome, lab.box_mm) for lab in plan.labels]
    for (name, lb), (key, mb) in itertools.product(label_boxes, main_boxes + [("blocco", b) for b in blocks]):
        assert not overlaps(lb, mb), f"il nome {name} tocca {key}"
    _no_overlap(label_boxes)


def test_dense_edition_gets_an_inset_of_central_pavia(dense):
    numbered, plan = dense
    assert plan.inset is not None
    assert set(plan.views) == {MAIN, INSET}
    # the inset shows Piazza della Vittoria at a larger scale than the main map
    assert plan.inset.contains_m(*to_utm(*PIAZZA_VITTORIA))
    assert plan.inset.scale <= plan.main.scale / 2
    # entries within 1 km of the piazza that crowd the main map are in the inset
    geod = Geod(ellps="WGS84")
    close = [nb.number for nb in numbered if geod.inv(nb.entry.lon, nb.entry.lat, *PIAZZA_VITTORIA)[2] < 600]
    in_inset = {m.number for m in plan.markers if m.view == INSET}
    assert len(close) >= 8 and set(close) <= in_inset
    # entries are in the inset exactly when their true place is inside its extent
    for m in plan.markers:
        x, y = to_utm(m.entry.lon, m.entry.lat)
        assert (m.view == INSET) == plan.inset.contains_m(x, y)
    # the inset frame sits inside the main frame, away from the area it enlarges
    ib = plan.inset_block_mm
    assert 0 <= ib[0] and 0 <= ib[1] and ib[2] <= FRAME[0] and ib[3] <= FRAME[1]
    assert not overlaps(ib, plan.inset_source_mm)
    assert not overlaps(ib, plan.legend.box_mm) and not overlaps(ib, plan.legend.attribution_box_mm)


def test_dense_edition_places_everything_without_overlaps(dense):
    numbered, plan = dense
    _check_plan_clean(plan, len(numbered))
    assert plan.problems == ()
    # the two entries in the same building were both moved, with leaders to their shared place
    first = next(nb.entry for nb in numbered if nb.entry.id == "v0001")
    same = [m for m in plan.markers if (m.entry.lon, m.entry.lat) == (first.lon, first.lat)]
    assert len(same) == 2 and all(m.displaced and m.leader for m in same)
    # every comune is named on the main map
    assert len(plan.labels) == 12


def test_sparse_edition_has_no_inset(d):
    numbered = sparse_edition(d)
    plan = plan_map(d, numbered, FRAME)
    assert plan.inset is None and set(plan.views) == {MAIN}
    assert all(m.view == MAIN and not m.displaced for m in plan.markers)
    _check_plan_clean(plan, len(numbered))


def test_inset_can_be_switched_off(d):
    numbered = dense_edition(d)
    plan = plan_map(d, numbered, FRAME, inset=False)
    assert plan.inset is None
    _check_plan_clean(plan, len(numbered))
    assert any(m.displaced for m in plan.markers)  # the crowd is resolved with leader lines


def test_scales_are_true_metres(dense):
    """Distance on paper × scale = distance on the ground (geodesic), within 1 %."""
    numbered, plan = dense
    geod = Geod(ellps="WGS84")
    for view, port in ((MAIN, plan.main), (INSET, plan.inset)):
        ms = [m for m in plan.markers if m.view == view]
        a, b = max(itertools.combinations(ms, 2), key=lambda p: abs(p[0].true_mm[0] - p[1].true_mm[0]) + abs(p[0].true_mm[1] - p[1].true_mm[1]))
        paper_mm = ((a.true_mm[0] - b.true_mm[0]) ** 2 + (a.true_mm[1] - b.true_mm[1]) ** 2) ** 0.5
        ground_m = geod.inv(a.entry.lon, a.entry.lat, b.entry.lon, b.entry.lat)[2]
        assert paper_mm * port.scale / 1000 == pytest.approx(ground_m, rel=0.01)
    bars = {MAIN: plan.legend.scale_bar, INSET: plan.inset_scale_bar}
    for view, bar in bars.items():
        assert bar.length_mm * bar.scale / 1000 == pytest.approx(bar.length_m, rel=0.01)
    assert bars[MAIN].length_m in (1000, 2000, 5000) and bars[INSET].length_m in (100, 200, 500)
    # the main frame's aspect is the extent's aspect: no stretching
    xmin, ymin, xmax, ymax = plan.main.view.extent
    assert (xmax - xmin) / (ymax - ymin) == pytest.approx(FRAME[0] / FRAME[1], rel=1e-9)


def test_plan_is_deterministic(d, dense):
    _, a = dense  # planned once for the module; the same edition made and planned again here
    b = plan_map(d, dense_edition(d), FRAME)
    key = lambda p: [(m.number, m.view, m.marker_mm, m.box_mm, m.displaced) for m in p.markers]  # noqa: E731
    assert key(a) == key(b)
    assert a.inset.view == b.inset.view and a.main.view == b.main.view
    assert [lab.box_mm for lab in a.labels] == [lab.box_mm for lab in b.labels]


# FRAME itself is the dense fixture's plan, checked by test_dense_edition_places_everything_without_overlaps.
@pytest.mark.parametrize("frame", [(190.0, 277.0), (277.0, 190.0)])
def test_any_frame_size(d, frame):
    numbered = dense_edition(d)
    plan = plan_map(d, numbered, frame)
    _check_plan_clean(plan, len(numbered))


@pytest.mark.lento
def test_thousand_entries_place_without_overlaps(d):
    numbered = synthetic_edition(1000, d)
    t0 = time.perf_counter()
    plan = plan_map(d, numbered, FRAME)
    elapsed = time.perf_counter() - t0
    print(f"1000 voci: pianificate in {elapsed:.1f} s; riquadro {plan.inset is not None}")
    numbers = sorted(m.number for m in plan.markers)
    assert numbers == list(range(1, 1001))
    for view in (MAIN, INSET):
        ms = [m for m in plan.markers if m.view == view]
        boxes = sorted(ms, key=lambda m: m.box_mm[0])
        for i, m in enumerate(boxes):  # sweep: only neighbours in x can overlap
            for o in boxes[i + 1 :]:
                if o.box_mm[0] > m.box_mm[2]:
                    break
                assert not overlaps(m.box_mm, o.box_mm), (m.number, o.number)
    assert elapsed < 60


def test_inset_setting_from_the_configuration(d):
    from stampa.cartography import inset_option
    from stampa.config import Mappa

    assert inset_option(Mappa()) is None
    assert inset_option(Mappa(riquadro="no")) is False
    assert inset_option(Mappa(riquadro="sì")) is True
    numbered = sparse_edition(d)
    forced = plan_map(d, numbered, FRAME, inset=inset_option(Mappa(riquadro="sì")), marker_mm=5.0)
    assert forced.inset is not None and forced.style.height_mm == 5.0
    _check_plan_clean(forced, len(numbered))


def test_comune_names_keep_off_fold_bands(d, dense):
    """On a folded leaflet the names of the comuni avoid the bands around the folds when they can."""
    frame = (277.0, 370.0)
    bands = ((-1.0, 180.0, 278.0, 196.0), (130.0, -1.0, 146.0, 371.0))
    numbered, _ = dense
    free = plan_map(d, numbered, frame)
    assert any(any(overlaps(lab.box_mm, b) for b in bands) for lab in free.labels)  # the bands do matter here
    plan = plan_map(d, numbered, frame, label_avoid_mm=bands)
    assert len(plan.labels) == len(free.labels)
    for label in plan.labels:
        assert not any(overlaps(label.box_mm, b) for b in bands), label.nome
