"""One reader wrapper: every ``read_X`` of the library is made here, with its signature typed once.

A reader takes a source (a path, bytes or a binary stream), reads its bytes within
``Limits.max_file_bytes`` (:func:`~gongkai_model.limits.read_source`), names it (its path, or the
format's default name), and hands the bytes with :class:`ReadOptions` to the format's *core*: for
the document readers the format's ``parse_X(data, source=name, limits=limits) -> Document`` then the
one assembler (:func:`assembled`). A ``MemoryError`` or ``RecursionError`` met on the way is a
``READ_LIMIT`` :class:`~gongkai_model.errors.ReadError` that says which (no foreign exception
escapes a reader); a format whose failures are results rather than errors (the workbook reader)
passes ``recover=``.

>>> from gongkai_model.formats import read_html, render_html
>>> import gongkai_model as gk
>>> read_html(render_html(gk.examples.seed_report()).encode(), name="a.html").source
'a.html'
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Protocol

import attrs

from ..errors import GongkaiError, Place, Problem, ReadError
from ..limits import DEFAULT_LIMITS, Limits, Source, read_source, source_name
from ..model.values import Edition
from ._assemble import assemble
from ._document import Document
from ._result import Imported

__all__ = [
    "FileBytes",
    "Parse",
    "ReadOptions",
    "Reader",
    "assembled",
    "assembled_document",
    "exhausted",
    "folder_of",
    "make_reader",
]


@attrs.frozen
class ReadOptions:
    """What a reader was asked, once the source is named and the limits chosen."""

    name: str  #: the source's name in problems and provenance
    limits: Limits
    agency: str | None = None
    year: int | None = None
    edition: Edition | str | None = None
    strict: bool = False
    #: The folder of the file read, when the source is a path (a web page's pictures are read from it);
    #: ``None`` for bytes and streams.
    folder: str | None = None


class FileBytes(bytes):
    """The bytes of a file already read, with the file's path: what :func:`~._dispatch.read` hands a
    reader, so that the reader knows the file's folder as if it had been given the path."""

    path: str

    def __new__(cls, data: bytes, path: str) -> FileBytes:
        made = super().__new__(cls, data)
        made.path = path
        return made


def folder_of(source: object) -> str | None:
    """The folder of the file ``source`` names (a path, or :class:`FileBytes`); ``None`` for bytes and streams."""
    if isinstance(source, FileBytes):
        path = source.path
    elif isinstance(source, str | os.PathLike):
        path = os.fspath(source)
        if not isinstance(path, str) or "\n" in path or len(path) > 4096:  # a text, not a path
            return None
    else:
        return None
    return os.path.dirname(os.path.abspath(path))


class Reader(Protocol):
    """The one public signature of every reader (``read_html``, ``read_text``, ... ``read_xlsx``)."""

    def __call__(
        self,
        source: Source,
        *,
        agency: str | None = None,
        year: int | None = None,
        edition: Edition | str | None = None,
        strict: bool = False,
        limits: Limits | None = None,
        name: str | None = None,
    ) -> Imported:
        """Read a report from ``source``.

        ``agency``, ``year`` and ``edition`` supply or override what the document's title and
        tables say; ``strict=True`` refuses misprinted labels instead of reading them with a
        warning; ``limits`` bounds what is read and built; ``name`` is the name problems and
        provenance give the source (by default its path).
        """
        ...


class Parse(Protocol):
    """A format's parser: its bytes into a :class:`Document` of printed cells."""

    def __call__(self, data: bytes, *, source: str, limits: Limits) -> Document:
        """The document of ``data``, named ``source``, built within ``limits``."""
        ...


#: A format's core: the bytes and the options into the result.
Core = Callable[[bytes, ReadOptions], Imported]


def assembled(parse: Parse) -> Core:
    """The core of a document reader: ``parse`` the bytes, then the one assembler."""

    def core(data: bytes, options: ReadOptions) -> Imported:
        return assembled_document(parse(data, source=options.name, limits=options.limits), options)

    return core


def assembled_document(doc: Document, options: ReadOptions) -> Imported:
    """The one assembler on a document, with what the reader was asked (:class:`ReadOptions`)."""
    return assemble(doc, agency=options.agency, year=options.year, edition=options.edition, strict=options.strict)


def exhausted(exc: BaseException) -> str:
    """A ``MemoryError`` or ``RecursionError``: a limit of the machine reached, said as such."""
    if isinstance(exc, MemoryError):
        return "reading it ran out of memory (MemoryError); it was not read"
    return "it nests too deep to be read (RecursionError); it was not read"


def make_reader(
    core: Core,
    module: str,
    fmt: str,
    what: str,
    *,
    doc: str,
    default_name: str | None = None,
    error: type[GongkaiError] = ReadError,
    recover: Callable[[BaseException, str], Imported] | None = None,
) -> Reader:
    """The public reader ``module.read_{fmt}`` with the docstring ``doc``, reading through ``core``.

    A source that has no path is named ``default_name`` (by default ``"<{fmt}>"``); ``what`` is the
    source in the messages of :func:`~gongkai_model.limits.read_source` (``"page"``), which raises ``error``.
    ``recover`` turns an error of the reading (``error``, ``MemoryError``, ``RecursionError``) into
    a result; without it a ``MemoryError``/``RecursionError`` is a ``READ_LIMIT`` ``ReadError``.
    """

    def read(
        source: Source,
        *,
        agency: str | None = None,
        year: int | None = None,
        edition: Edition | str | None = None,
        strict: bool = False,
        limits: Limits | None = None,
        name: str | None = None,
    ) -> Imported:
        limits = limits or DEFAULT_LIMITS
        name = name or source_name(source, default_name or f"<{fmt}>")
        try:
            data = read_source(source, limits, name, error, what)
            return core(data, ReadOptions(name, limits, agency, year, edition, strict, folder_of(source)))
        except (MemoryError, RecursionError) as exc:
            if recover is not None:
                return recover(exc, name)
            raise ReadError(
                f"cannot read the {what}", [Problem(name, exhausted(exc), code="READ_LIMIT", place=Place(name))]
            ) from None
        except GongkaiError as exc:
            if recover is not None and isinstance(exc, error):
                return recover(exc, name)
            raise

    function = f"read_{fmt}"
    read.__module__ = module
    read.__name__ = read.__qualname__ = function
    read.__doc__ = doc
    return read
