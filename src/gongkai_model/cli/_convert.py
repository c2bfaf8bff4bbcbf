"""``gongkai convert IN OUT`` and ``gongkai template OUT.xlsx``."""

from __future__ import annotations

import argparse
import io
from pathlib import Path
from typing import Any

from ..batch import READABLE_SUFFIXES
from ..errors import GongkaiError, ModelError
from ..formats import WRITE_SUFFIXES, write
from ..model.report import AnnualReport
from ..model.values import Edition
from ._common import USAGE, fail, missing_paths, note, read_report, unwritable, write_file
from ._meta import add_meta_arguments, file_meta

__all__ = ["WRITERS", "add_parsers", "render"]


#: Output suffix → the format written (the library's writer registry, :data:`gongkai_model.formats.WRITE_SUFFIXES`).
WRITERS = WRITE_SUFFIXES


def render(report: AnnualReport, suffix: str) -> bytes:
    """``report`` in the format of ``suffix`` (one of :data:`WRITERS`), as :func:`~..formats.write` writes it."""
    out = io.BytesIO()
    write(report, out, format=WRITERS[suffix.lower()])
    return out.getvalue()


def add_parsers(sub: Any) -> None:
    writable = ", ".join(WRITERS)
    readable = ", ".join(sorted(READABLE_SUFFIXES))
    c = sub.add_parser(
        "convert",
        help="convert a report between formats, by extension",
        description=f"Convert a report, by the files' extensions. Read: {readable}. Write: {writable}.",
        epilog="A file that could not be read completely (a figure refused or missing) is refused unless --force. "
        "Exit status: 0 written, 1 not read or not written, 2 usage error.",
    )
    c.add_argument("input", metavar="IN", help="the report to read")
    c.add_argument("output", metavar="OUT", help=f"the file to write ({writable})")
    c.add_argument("--force", action="store_true", help="convert what was read even if some figures were not")
    add_meta_arguments(c, batch=False)
    c.set_defaults(run=_convert)

    t = sub.add_parser(
        "template",
        help="write a fillable Excel template (blank, from last year's report, or from a draft)",
        description="Write a fillable workbook: input cells unlocked, totals as formulas, a 校验 sheet of checks. "
        "--from prefills 二、上年结转 with last year's 四、结转下年度继续办理 and notes last year's 现行有效件数 "
        "on 表二's cells; --draft prefills every figure and text of a draft report.",
    )
    t.add_argument("output", metavar="OUT.xlsx", help="the workbook to write")
    t.add_argument("--agency", help="the agency (required unless --draft)")
    t.add_argument("--year", type=int, help="the report year (required unless --draft)")
    t.add_argument("--edition", choices=[e.value for e in Edition], help="the format (default: the one in force)")
    t.add_argument("--single-other-row", action="store_true", help="2021: one （六）其他处理 row instead of three")
    t.add_argument("--subtotal-column", action="store_true", help="表三 with the 法人或其他组织 小计 column")
    t.add_argument("--from", dest="previous", metavar="LAST_YEAR_FILE", help="last year's report (any format)")
    t.add_argument("--draft", metavar="DRAFT_FILE", help="a draft report (any format) to prefill every figure from")
    t.add_argument("--force", action="store_true", help="use a --from or --draft file that was read incompletely")
    t.set_defaults(run=_template)


def _convert(args: argparse.Namespace) -> int:
    out = Path(args.output)
    if out.suffix.lower() not in WRITERS:
        shown = out.suffix or "(no extension)"
        return fail(f"cannot write {shown} files: OUT must end in one of {', '.join(WRITERS)}", USAGE)
    if missing_paths([args.input]):
        return fail(f"no such file: {args.input}", USAGE)
    cannot = unwritable(args.output)
    if cannot is not None:
        return fail(cannot, USAGE)
    meta = file_meta(args, [args.input])
    if isinstance(meta, str):
        return fail(meta, USAGE)
    own = meta.get(args.input, {})
    options: dict[str, Any] = {k: own[k] for k in ("agency", "year", "edition", "format") if k in own}
    got, status = read_report(args.input, force=args.force, what="converting", options=options)
    if got is None:
        return status
    assert got.report is not None  # read_report returns only reports
    for p in got.problems:
        if p.code == "READ_META_MISSING":
            note(f"{args.input}: {p.message}; written as unknown (pass --agency, --year or --meta)")
    try:
        data = render(got.report, out.suffix)
    except GongkaiError as exc:  # a text a format cannot carry, a missing optional dependency
        return fail(f"cannot write {out}: {exc}", 1)
    write_file(out, data)
    print(f"wrote {out}")
    return 0


def _template(args: argparse.Namespace) -> int:
    out = Path(args.output)
    if out.suffix.lower() != ".xlsx":
        return fail(f"a template is a workbook: OUT must end in .xlsx, got {out.name}", USAGE)
    if args.draft is not None and args.previous is not None:
        return fail("--draft and --from cannot be combined (a draft has its own 上年结转)", USAGE)
    if args.draft is None and (args.agency is None or args.year is None):
        return fail("--agency and --year are required (or --draft)", USAGE)
    given = [p for p in (args.previous, args.draft) if p is not None]
    if missing_paths(given):
        return fail("no such file: " + ", ".join(missing_paths(given)), USAGE)
    cannot = unwritable(args.output)
    if cannot is not None:
        return fail(cannot, USAGE)
    from ..excel import write_template

    options: dict[str, Any] = {}
    for name in ("previous", "draft"):
        path = getattr(args, name)
        if path is not None:
            got, status = read_report(path, force=args.force, what="prefilling the template from it")
            if got is None:
                return status
            options[name] = got.report
    last = options.get("previous")
    if last is not None and args.year is not None:
        if last.year is not None and last.year != args.year - 1:
            return fail(
                f"--from {args.previous} is the report of {last.year}; a template for {args.year} "
                f"starts from last year's report ({args.year - 1})",
                USAGE,
            )
        if last.agency is not None and args.agency is not None and last.agency.strip() != args.agency.strip():
            note(f"--from {args.previous} is the report of {last.agency}, not of {args.agency}: is it the right file?")
    buffer = io.BytesIO()
    try:
        write_template(
            buffer,
            agency=args.agency,
            year=args.year,
            edition=args.edition,
            single_other_row=args.single_other_row or None,
            subtotal_column=args.subtotal_column,
            **options,
        )
    except ModelError as exc:  # --agency or --year the model refuses
        return fail(f"cannot write the template {out}: {exc}", USAGE)
    except GongkaiError as exc:  # a draft the template cannot hold as it is
        return fail(f"cannot write the template {out}: {exc}", 1)
    write_file(out, buffer.getvalue())
    print(f"wrote {out}")
    return 0
