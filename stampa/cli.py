"""The `stampa` command: parse, call the stage, report. Thin on purpose.

Exit codes: 0 done (warnings allowed), 1 the input is wrong or a product failed its checks,
2 wrong usage. A user error is printed as clear lines, never a traceback.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path
from typing import Callable, Sequence

from . import __version__
from .problems import StampaError
from .terminal import console, print_problems

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)  # Ctrl-C, and `kill` from a scheduler or a closed session

EXIT_OK, EXIT_INPUT, EXIT_USAGE = 0, 1, 2


class _Formatter(argparse.RawDescriptionHelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):  # noqa: ANN001 - argparse API
        return super().add_usage(usage, actions, groups, "uso: " if prefix is None else prefix)


class _Parser(argparse.ArgumentParser):
    """argparse with Italian wording for the parts staff see."""

    def __init__(self, *args, **kwargs):  # noqa: ANN002, ANN003
        kwargs.setdefault("formatter_class", _Formatter)
        kwargs.setdefault("add_help", False)
        super().__init__(*args, **kwargs)
        self._optionals.title = "opzioni"
        self._positionals.title = "argomenti"
        self.add_argument("-h", "--help", action="help", help="mostra questo aiuto ed esci")

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        for en, it in (
            ("the following arguments are required", "mancano gli argomenti"),
            ("unrecognized arguments", "argomenti non riconosciuti"),
            ("invalid choice", "scelta non valida"),
            ("expected one argument", "serve un valore"),
            ("argument", "argomento"),
        ):
            message = message.replace(en, it)
        print(f"{self.prog}: errore: {message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def _common(p: argparse.ArgumentParser, building: bool, out: bool = True) -> None:
    p.add_argument(
        "--config",
        type=Path,
        default=Path("stampa.toml"),
        metavar="FILE",
        help="configurazione dell'edizione (predefinita: ./stampa.toml)",
    )
    p.add_argument("--dati", type=Path, metavar="FILE", help="usa questo file di voci invece di quello della configurazione")
    if building:
        p.add_argument(
            "--sfondo",
            metavar="FONTE",
            help="sfondo della mappa: «osm» (i dati OpenStreetMap, il predefinito), uno stile di tessere "
            "(es. OpenTopoMap), un modello di URL di tessere, un file GeoTIFF, oppure «vettoriale»",
        )
        if out:
            p.add_argument("--out", type=Path, metavar="CARTELLA", help="cartella di uscita (predefinita: quella della configurazione)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="stampa",
        description="Mappa dei Laboratori Sociali e manifesto: dai dati ai PDF per la tipografia.",
        epilog="Esempio: stampa controlla   (controlla dati e configurazione)\n"
        "         stampa edizione    (costruisce tutto in out/)",
    )
    parser.add_argument("--version", action="version", version=f"stampa {__version__}", help="mostra la versione")
    sub = parser.add_subparsers(dest="comando", metavar="COMANDO", parser_class=_Parser)
    sub.required = True

    p = sub.add_parser("controlla", help="controlla configurazione e voci, senza scrivere nulla")
    _common(p, building=False)
    p.set_defaults(run=_run_controlla)

    p = sub.add_parser("edizione", help="costruisce tutto ciò che chiede la configurazione: Mappa, manifesti, versione web, rapporto")
    _common(p, building=True)
    p.add_argument("--senza-verifica", action="store_true", help="non eseguire la verifica finale dei PDF")
    p.add_argument("--non-archiviare", action="store_true",
                   help="non archiviare l'edizione in dati/edizioni/ANNO (una prova con i dati veri); con --dati, "
                   "--out o --sfondo diversi da stampa.toml l'edizione è di prova e non si archivia comunque")
    p.add_argument("--anno", type=_year, metavar="ANNO",
                   help="ricostruisce l'edizione ANNO dall'archivio dati/edizioni/ANNO (in out/edizione-ANNO)")
    p.set_defaults(run=_run_edizione)

    p = sub.add_parser("verifica", help="verifica i PDF già costruiti (quelli di rapporto.json, o i file indicati)")
    _common(p, building=False)
    p.add_argument("--out", type=Path, metavar="CARTELLA", help="cartella di uscita con rapporto.json")
    p.add_argument("pdf", nargs="*", type=Path, help="PDF da verificare (predefinito: quelli elencati in rapporto.json)")
    p.set_defaults(run=_run_verifica)

    p = sub.add_parser("geocodifica", help="cerca le posizioni degli indirizzi senza coordinate e le scrive nel registro dati/geocodifica.csv")
    _common(p, building=False)
    p.set_defaults(run=_run_geocodifica)

    p = sub.add_parser("confronta", help="confronta le voci di oggi con l'ultima edizione archiviata: nuove, tolte, cambiate, spostate")
    _common(p, building=False)
    p.add_argument("--con", type=_year, metavar="ANNO", help="l'edizione archiviata con cui confrontare (predefinita: l'ultima)")
    p.add_argument("--out", type=Path, metavar="CARTELLA", help="dove scrivere confronto.json (predefinita: quella della configurazione)")
    p.set_defaults(run=_run_confronta)

    p = sub.add_parser("bozze", help="una pagina PDF per voce in out/bozze/, da mandare a ogni ente per conferma, ed elenco.csv")
    _common(p, building=False)
    p.add_argument("--out", type=Path, metavar="CARTELLA", help="cartella di uscita (predefinita: quella della configurazione)")
    p.set_defaults(run=_run_bozze)

    p = sub.add_parser("sfondo", help="scarica e congela lo sfondo della mappa in dati/, per ristampe senza rete")
    _common(p, building=True, out=False)  # it writes into dati/, next to the edition's data
    p.set_defaults(run=_run_sfondo)

    p = sub.add_parser("app", help="apre l'app per la redazione nel browser (solo su questo computer)")
    p.add_argument("--config", type=Path, default=Path("stampa.toml"), metavar="FILE",
                   help="configurazione dell'edizione (predefinita: ./stampa.toml)")
    p.add_argument("--porta", type=int, default=0, metavar="N", help="porta su 127.0.0.1 (predefinita: una libera)")
    p.add_argument("--senza-browser", action="store_true", help="non aprire il browser: stampa solo l'indirizzo")
    p.set_defaults(run=_run_app)
    return parser


def _run_controlla(args: argparse.Namespace) -> int:
    from .check import run_check

    return run_check(args.config, dati=args.dati)


def _year(text: str) -> int:
    if not (text.isdigit() and len(text) == 4):
        raise argparse.ArgumentTypeError(f"anno non valido: «{text}» (scrivi quattro cifre, es. 2025)")
    return int(text)


def _run_edizione(args: argparse.Namespace) -> int:
    from .build import BuildOptions, run_edition

    if args.anno is not None:
        from .rebuild import run_rebuild

        return run_rebuild(args.config, args.anno, out=args.out, sfondo=args.sfondo,
                           verifica=False if args.senza_verifica else None)

    return run_edition(
        BuildOptions(
            config=args.config,
            dati=args.dati,
            sfondo=args.sfondo,
            out=args.out,
            verifica=False if args.senza_verifica else None,
            archive=False if args.non_archiviare else None,
        )
    )


def _run_verifica(args: argparse.Namespace) -> int:
    from .preflight.command import run_verifica

    return run_verifica(args.config, out=args.out, pdfs=args.pdf)


def _run_geocodifica(args: argparse.Namespace) -> int:
    from .geocoding.command import run_geocodifica

    return run_geocodifica(args.config, dati=args.dati)


def _run_confronta(args: argparse.Namespace) -> int:
    from .compare_command import run_confronta

    return run_confronta(args.config, dati=args.dati, con=args.con, out=args.out)


def _run_bozze(args: argparse.Namespace) -> int:
    from .bozze.command import run_bozze

    return run_bozze(args.config, dati=args.dati, out=args.out)


def _run_sfondo(args: argparse.Namespace) -> int:
    from .freeze import run_freeze

    return run_freeze(args.config, dati=args.dati, sfondo=args.sfondo)


def _run_app(args: argparse.Namespace) -> int:
    from .app.server import run_app

    return run_app(args.config, port=args.porta, open_browser=not args.senza_browser)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command in-process (tests call this): the signal handlers are put back afterwards."""
    return _run_command(argv, restore_signals=True)


def entry() -> int:
    """The `stampa` command and `python -m stampa`: the process ends right after, so an interrupted
    build keeps ignoring further signals until it has exited with 130 (a second Ctrl-C or `kill`
    while it exits must not turn the clean stop into a death by signal)."""
    return _run_command(None, restore_signals=False)


def _run_command(argv: Sequence[str] | None, *, restore_signals: bool) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    run: Callable[[argparse.Namespace], int] = args.run
    previous = _stop_on_signals()
    try:
        return run(args)
    except StampaError as exc:
        print_problems(exc.problems)
        return EXIT_INPUT
    except KeyboardInterrupt:
        console(stderr=True).print("Interrotto: i file già completi sono al loro posto, nessun file è a metà.")
        return 130
    finally:
        if restore_signals:
            for sig, handler in previous.items():
                if handler is not None:  # None: set outside Python, cannot be put back
                    signal.signal(sig, handler)


def _raise_interrupt(signum, frame):  # noqa: ANN001, ANN202 - signal handler
    # The first signal stops the build; the ones after it (a second Ctrl-C, a scheduler's repeated
    # `kill`) are ignored, so the clean-up runs to its end and the exit code is always 130.
    # (A Python no-op, not SIG_IGN: a signal that arrived with this one would then be reported by
    # Python as «ignored due to race condition» with a traceback.)
    for sig in STOP_SIGNALS:
        signal.signal(sig, _already_stopping)
    raise KeyboardInterrupt


def _already_stopping(signum, frame):  # noqa: ANN001, ANN202 - signal handler
    """The build is stopping already: nothing more to do."""


def _stop_on_signals() -> dict:
    """Make `kill <pid>` (what a scheduler or a closed session sends) stop like Ctrl-C: the file
    being written is dropped and the previous one stays, with the same message and exit 130.
    SIGINT is set too: a shell script that starts stampa in the background leaves it ignored, and
    `kill -INT` must still stop the build. Returns the handlers to restore (none off the main
    thread, where Python allows no handlers)."""
    if threading.current_thread() is not threading.main_thread():
        return {}
    return {sig: signal.signal(sig, _raise_interrupt) for sig in STOP_SIGNALS}


if __name__ == "__main__":  # pragma: no cover
    sys.exit(entry())
