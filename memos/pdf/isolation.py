"""Run a render in a child process that is killed when it takes too long.

WeasyPrint spends most of a slow render inside Pango, cairo and Pillow, where neither a signal handler nor a
thread can stop it; a child process can always be killed. The child is forked from the worker, so it starts
with the fonts and modules the worker has loaded (about 0.4 s for a two-page memo, as in-process). It never
touches the database: it gets the plain-data document, writes the PDF to a temporary file and exits. It leads
its own process group, and the whole group is killed at the limit: a program the render started (Ghostscript
for the archive's uploaded PDFs) does not outlive it.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import tempfile
import time
import traceback
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any


class RenderFailed(Exception):
    """The render raised an exception or its process died; ``detail`` says how."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class RenderTimeout(RenderFailed):
    """The render took longer than its time limit and was killed."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"the render took longer than {seconds:g} s and was stopped")
        self.seconds = seconds


def _child(func: Callable[[Any], bytes], argument: Any, output: str, error: str) -> None:
    _own_group(0)
    try:
        content = func(argument)
        with open(output, "wb") as handle:
            handle.write(content)
    except BaseException:
        with open(error, "w", encoding="utf-8") as handle:
            handle.write(traceback.format_exc())
        os._exit(1)
    os._exit(0)  # no atexit handlers, no garbage collection of the parent's database connections


def _own_group(pid: int) -> None:
    """Make the child (``pid``, 0 for oneself) lead its own process group, from both sides of the fork, so
    that whatever it starts (Ghostscript, ``memos.pdf.pdfa``) is killed with it."""
    with contextlib.suppress(OSError):  # the child has already done it, or has exited
        os.setpgid(pid, 0)


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except OSError:  # no such group: kill the child alone
        os.kill(pid, signal.SIGKILL)


def run_with_time_limit(
    func: Callable[[Any], bytes],
    argument: Any,
    *,
    seconds: float,
    fork_lock: AbstractContextManager[Any] | None = None,
) -> tuple[bytes, float]:
    """``func(argument)`` computed in a forked child process, and the seconds it took; raises
    ``RenderTimeout`` (after killing the child) when it takes longer than ``seconds``, ``RenderFailed`` when
    it raises or dies. ``func`` and ``argument`` reach the child by fork, so need not be picklable.
    ``fork_lock``: held around the fork only (a threaded server: no other thread inside Pango at that moment)."""
    context = multiprocessing.get_context("fork")
    with tempfile.TemporaryDirectory(prefix="memoflow-render-") as directory:
        output = str(Path(directory) / "out.pdf")
        error = str(Path(directory) / "error.txt")
        process = context.Process(target=_child, args=(func, argument, output, error), daemon=True)
        started = time.monotonic()
        with fork_lock if fork_lock is not None else contextlib.nullcontext():
            process.start()
        assert process.pid is not None
        _own_group(process.pid)
        process.join(seconds)
        elapsed = time.monotonic() - started
        if process.is_alive():
            _kill_group(process.pid)
            process.join()
            raise RenderTimeout(seconds)
        if process.exitcode != 0:
            detail = Path(error).read_text(encoding="utf-8") if Path(error).exists() else ""
            raise RenderFailed(detail or f"the render process ended with exit code {process.exitcode}")
        return Path(output).read_bytes(), elapsed
