"""Preflight of built files (`stampa verifica`): the checks a print shop's preflight makes (page
boxes, fonts, type size, image resolution, colour, annotations) and those only stampa can make
(QR codes decoded back, every entry printed, nothing on a fold), over plain PDF files."""

from .command import preflight_report_file, run_verifica
from .model import FileToCheck, Finding, Fold, PreflightResult, QrSpec, TextSpec
from .report import print_report
from .run import REPORT_NAME, check_file, run_preflight
from .sources import file_from_pdf, files_from_report

__all__ = [
    "FileToCheck",
    "Finding",
    "Fold",
    "PreflightResult",
    "QrSpec",
    "TextSpec",
    "REPORT_NAME",
    "check_file",
    "file_from_pdf",
    "files_from_report",
    "preflight_report_file",
    "print_report",
    "run_verifica",
    "run_preflight",
]
