"""`stampa controlla`: check configuration and entries, print the report, write nothing."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from pathlib import Path

from rich.table import Table

from .district import CAPITAL
from .inputs import Inputs, load_inputs
from .numbering import number_entries
from .problems import ERROR, Problem, StampaError, how_many
from .terminal import console, print_problems


def summary_rows(inputs: Inputs) -> list[tuple[str, str, int, int]]:
    """(comune, quartiere, laboratori, gruppi) per place: Pavia first, then the comuni by name;
    the quartiere only inside Pavia. The terminal's table and the web app show the same rows."""
    counts: Counter[tuple[str, str, str]] = Counter()
    for n in number_entries(inputs.edition.entries):
        e = n.entry
        counts[(e.comune, e.quartiere if e.istat == CAPITAL else "", e.tipo)] += 1
    places = sorted({(c, q) for c, q, _ in counts}, key=lambda cq: (cq[0] != "Pavia", cq[0], cq[1] == "", cq[1]))
    return [
        (comune, quartiere or ("(senza quartiere)" if comune == "Pavia" else ""),
         counts[(comune, quartiere, "laboratorio")], counts[(comune, quartiere, "gruppo")])
        for comune, quartiere in places
    ]


def summary_table(inputs: Inputs) -> Table:
    """Labs and groups per comune, and per quartiere inside Pavia."""
    table = Table(title=f"Voci dell'edizione ({inputs.entries_file.name})", title_justify="left")
    table.add_column("Comune", no_wrap=True)
    table.add_column("Quartiere")
    table.add_column("Laboratori", justify="right")
    table.add_column("Gruppi", justify="right")
    table.add_column("Totale", justify="right")
    rows = summary_rows(inputs)
    for comune, quartiere, lab, grp in rows:
        table.add_row(comune, quartiere, str(lab), str(grp), str(lab + grp))
    labs = sum(r[2] for r in rows)
    groups = sum(r[3] for r in rows)
    table.add_section()
    table.add_row("Totale", "", str(labs), str(groups), str(labs + groups), style="bold")
    return table


def inactive_lines(inputs: Inputs) -> list[str]:
    lines = []
    for item in inputs.edition.inactive:
        name = item.fields.get("nome", "") if hasattr(item, "fields") else item.nome
        lines.append(f"  {item.origin.label()}: «{name}»")
    return lines


def layout_problems(inputs: Inputs) -> list[Problem]:
    """What staff edit besides the data, checked without building: the Mappa's and the
    manifesto's texts, the colours, the basemap source and its style (no network)."""
    from .basemap import basemap_problems
    from .printing.theme import load_theme
    from .products.manifesto_text import load_manifesto_text
    from .products.mappa.texts import load_texts

    cfg = inputs.config
    layout = cfg.root / "layout"
    problems: list[Problem] = list(basemap_problems(cfg.sfondo, root=cfg.root))
    loads = [lambda: load_theme(layout / "tema.toml"), lambda: load_texts(layout, cfg), lambda: load_manifesto_text(layout)]
    if cfg.sfondo.fonte.strip().lower() == "osm" or (layout / "sfondo.toml").exists():
        from .cartography.osm_style import load_osm_style

        loads.append(lambda: load_osm_style(layout / "sfondo.toml"))
    for load in loads:
        try:
            load()
        except StampaError as exc:
            problems += exc.problems
    return problems


def run_check(config_path: Path, *, dati: Path | None = None) -> int:
    inputs = load_inputs(config_path, dati=dati, geocodifica="controlla")  # the record only: no network
    inputs = replace(inputs, problems=inputs.problems + tuple(layout_problems(inputs)))
    out = console()
    out.print(summary_table(inputs))
    from .geocoding.command import position_lines

    for line in position_lines(inputs):
        out.print(line, markup=False)
    inactive = inactive_lines(inputs)
    if inactive:
        out.print(f"Lasciate fuori perché «attivo = no» ({len(inactive)}):")
        for line in inactive:
            out.print(line, markup=False)
    if inputs.problems:
        print_problems(inputs.problems)
    errors = sum(p.level == ERROR for p in inputs.problems)
    if errors:
        return 1
    out.print(f"[green]Tutto a posto[/]: {how_many(len(inputs.edition.entries), 'voce pronta', 'voci pronte')} per l'edizione.")
    return 0
