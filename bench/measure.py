"""Measuring one command: wall time, CPU time and peak memory of its whole process tree.

stampa builds the per-lab posters in worker processes, so the peak memory that matters is the
sum over the tree, sampled (psutil, every 50 ms) while the command runs; the CPU time of the tree
over the wall time says how many cores were busy.
"""

from __future__ import annotations

import os
import resource
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

import psutil


@dataclass(frozen=True)
class Run:
    wall_s: float
    cpu_s: float
    peak_mb: float
    returncode: int
    output: str
    peak_pss_mb: float = 0.0  # the same tree with shared pages counted once (a fork shares its parent's)

    @property
    def cores(self) -> float:
        return self.cpu_s / self.wall_s if self.wall_s else 0.0


def _tree(proc: psutil.Process) -> list[psutil.Process]:
    try:
        return [proc, *proc.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def run_measured(cmd: Sequence[str], *, cwd: Path, env: Mapping[str, str] | None = None, timeout_s: float = 900) -> Run:
    """Run ``cmd`` and measure it; the output (stdout + stderr) is kept for error reports."""
    full_env = {**os.environ, **(env or {})}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=full_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    root = psutil.Process(proc.pid)
    peak = 0
    peak_pss = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak, peak_pss
        tick = 0
        while not done.is_set():
            # RSS every 50 ms; PSS (the kernel walks every page for it: costly on a large
            # process, and the 2 cores are the build's) every 0.5 s.
            full = tick % 10 == 0
            tick += 1
            total = total_pss = 0
            for p in _tree(root):
                try:
                    if full:
                        info = p.memory_full_info()
                        total += info.rss
                        total_pss += getattr(info, "pss", info.rss)
                    else:
                        total += p.memory_info().rss
                except (psutil.NoSuchProcess, psutil.AccessDenied):
                    pass
            peak = max(peak, total)
            if full:
                peak_pss = max(peak_pss, total_pss)
            done.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        output, _ = proc.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        output, _ = proc.communicate()
    wall = time.perf_counter() - start
    done.set()
    sampler.join()
    # Exact CPU of the command and every descendant it waited for (the worker pool included).
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    total_cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Run(round(wall, 2), round(total_cpu, 2), round(peak / 2**20, 1), proc.returncode, output, round(peak_pss / 2**20, 1))
