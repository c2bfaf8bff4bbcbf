"""The progress of a batch: one bar that updates in place, with the rate and the time left.

:func:`bar` gives ``tqdm``'s ``auto`` bar when ``tqdm`` is installed (a core dependency): a widget
in a notebook that has ``ipywidgets``, a line redrawn on stderr on a terminal. Without ``tqdm``, or
in a notebook without ``ipywidgets`` (where ``tqdm`` would fall back to one text chunk per redraw,
with a warning), the same information is shown by the library itself: one line redrawn on stderr
(``\\r``), or one notebook output updated in place through its ``display_id``. Either way a
notebook holds one output for the bar, never one per file, and redraws are at most ten a second
(five in a notebook). :func:`wanted` decides the default: on in a notebook, and on a terminal
(stderr) for more than :data:`TERMINAL_MIN` files.
"""

from __future__ import annotations

import html
import importlib
import sys
import time
from typing import Any, Protocol

__all__ = ["TERMINAL_MIN", "Bar", "bar", "in_notebook", "wanted"]

#: On a terminal, a batch of more than this many files shows its progress by default.
TERMINAL_MIN = 20


class Bar(Protocol):
    """What the runners use of a bar (tqdm's names)."""

    def update(self, n: int = 1) -> Any: ...
    def clear(self) -> Any: ...
    def refresh(self) -> Any: ...
    def close(self) -> Any: ...


def in_notebook() -> bool:
    """Whether this process is a Jupyter kernel (IPython started by ``IPKernelApp``), as tqdm tells."""
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return False
    try:
        shell = ipython.get_ipython()
        return shell is not None and "IPKernelApp" in shell.config
    except Exception:  # an IPython we do not know: no notebook
        return False


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):  # no isatty, or closed
        return False


def wanted(progress: bool | None, total: int) -> bool:
    """``progress`` when given; else on in a notebook, and on a terminal for more than :data:`TERMINAL_MIN` files."""
    if progress is not None:
        return progress
    if total <= 0:
        return False
    return in_notebook() or (total > TERMINAL_MIN and _isatty(sys.stderr))


def _tqdm(notebook: bool) -> Any:
    """``tqdm.auto.tqdm``, or ``None`` when tqdm is missing or would not render as one bar here."""
    try:
        if notebook and getattr(importlib.import_module("tqdm.notebook"), "IProgress", None) is None:
            return None  # no ipywidgets: tqdm.auto would warn, then print a text chunk per redraw
        return importlib.import_module("tqdm.auto").tqdm
    except Exception:  # not installed, or broken: our own bar
        return None


def bar(total: int, *, desc: str, initial: int = 0, enabled: bool = True) -> Bar:
    """A bar for ``total`` files, ``initial`` of them done already (journaled, skipped); or one showing nothing."""
    if not enabled:
        return _Off()
    try:
        notebook = in_notebook()
        tqdm = _tqdm(notebook)
        if tqdm is not None:
            options: dict[str, Any] = {"total": total, "initial": initial, "desc": desc, "unit": "file"}
            if not notebook:
                options.update(file=sys.stderr, dynamic_ncols=True)
            return _Guarded(_Tqdm(tqdm(**options), terminal=not notebook))
        if notebook:
            return _Guarded(_Display(total, desc, initial))
        return _Guarded(_Text(total, desc, initial, sys.stderr))
    except Exception:  # a display that cannot be drawn (stderr closed …) never stops a batch
        return _Off()


class _Guarded:
    """A bar whose failure (a closed stderr, a broken pipe, a frontend gone) turns it off, never the batch."""

    def __init__(self, inner: Bar) -> None:
        self.inner: Bar = inner

    def _do(self, action: str, *args: int) -> None:
        try:
            getattr(self.inner, action)(*args)
        except Exception:
            self.inner = _Off()

    def update(self, n: int = 1) -> None:
        self._do("update", n)

    def clear(self) -> None:
        self._do("clear")

    def refresh(self) -> None:
        self._do("refresh")

    def close(self) -> None:
        self._do("close")


class _Off:
    def update(self, n: int = 1) -> None:
        pass

    def clear(self) -> None:
        pass

    def refresh(self) -> None:
        pass

    def close(self) -> None:
        pass


class _Tqdm:
    """tqdm's bar; clearing and redrawing only on a terminal (a widget stays where it is)."""

    def __init__(self, inner: Any, *, terminal: bool) -> None:
        self.inner = inner
        self.terminal = terminal

    def update(self, n: int = 1) -> None:
        self.inner.update(n)

    def clear(self) -> None:
        if self.terminal:
            self.inner.clear()

    def refresh(self) -> None:
        if self.terminal:
            self.inner.refresh()

    def close(self) -> None:
        self.inner.close()


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


class _Counter:
    """The count, the rate and the time left, as tqdm prints them."""

    interval = 0.1

    def __init__(self, total: int, desc: str, initial: int) -> None:
        self.total = total
        self.desc = desc
        self.initial = initial
        self.n = initial
        self.start = time.monotonic()
        self.drawn = float("-inf")
        self.drawn_n = -1
        self.closed = False

    def line(self) -> str:
        elapsed = time.monotonic() - self.start
        ran = self.n - self.initial
        rate = ran / elapsed if elapsed > 0 and ran > 0 else None
        left = "?" if rate is None else _clock(max(0, self.total - self.n) / rate)
        if rate is None:
            speed = "?file/s"
        elif rate >= 1:
            speed = f"{rate:.2f}file/s"
        else:
            speed = f"{1 / rate:.2f}s/file"
        share = f"{100 * self.n // self.total:3d}%" if self.total else "   -"
        return f"{self.desc}: {share} {self.n}/{self.total} [{_clock(elapsed)}<{left}, {speed}]"

    def update(self, n: int = 1) -> None:
        self.n += n
        now = time.monotonic()
        if now - self.drawn >= self.interval or self.n >= self.total:
            self.drawn = now
            self.draw()

    def refresh(self) -> None:
        self.draw()

    def draw(self) -> None:  # pragma: no cover - each kind draws
        raise NotImplementedError

    def clear(self) -> None:
        pass

    def close(self) -> None:
        if not self.closed:
            if self.drawn_n != self.n:
                self.draw()
            self.closed = True


class _Text(_Counter):
    """One line on ``stream``, redrawn in place with ``\\r``; a newline when closed."""

    def __init__(self, total: int, desc: str, initial: int, stream: Any) -> None:
        super().__init__(total, desc, initial)
        self.stream = stream
        self.width = 0
        self.draw()

    def draw(self) -> None:
        self.drawn_n = self.n
        text = self.line()
        self.stream.write("\r" + text.ljust(self.width))
        self.width = len(text)
        self.stream.flush()

    def clear(self) -> None:
        self.stream.write("\r" + " " * self.width + "\r")
        self.stream.flush()

    def close(self) -> None:
        if not self.closed:
            super().close()
            self.stream.write("\n")
            self.stream.flush()


class _Shown:
    """What a notebook shows of the bar: an HTML ``<progress>`` and the line (the text form too)."""

    def __init__(self, text: str, done: int, total: int) -> None:
        self.text = text
        self.done = done
        self.total = total

    def __repr__(self) -> str:
        return self.text

    def _repr_html_(self) -> str:
        return (
            f'<div class="gongkai-progress"><progress value="{self.done}" max="{max(self.total, 1)}"></progress> '
            f"<code>{html.escape(self.text)}</code></div>"
        )


class _Display(_Counter):
    """One notebook output, updated in place through its ``display_id`` (no widget library needed)."""

    interval = 0.2

    def __init__(self, total: int, desc: str, initial: int) -> None:
        super().__init__(total, desc, initial)
        display = importlib.import_module("IPython.display").display
        self.handle = display(self._shown(), display_id=True)

    def _shown(self) -> _Shown:
        return _Shown(self.line(), self.n, self.total)

    def draw(self) -> None:
        self.drawn_n = self.n
        if self.handle is not None:
            self.handle.update(self._shown())
