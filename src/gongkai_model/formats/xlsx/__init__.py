"""Excel, one format package: the official-layout workbook and template writer, and the reader.

The writer lays the three tables out as :mod:`gongkai_model.presentation` plans them; the reader
turns any workbook (ours, a filled template, or an agency's own) into the grids every reader
produces. Sheet XML is parsed by :mod:`._sheetxml` under the limits, never by openpyxl's loader.
:mod:`gongkai_model.excel` is the public façade of this package.

>>> import io
>>> import gongkai_model as gk
>>> from gongkai_model.formats import xlsx
>>> buffer = io.BytesIO()
>>> xlsx.write_report(gk.examples.seed_report(), buffer)
>>> xlsx.read_xlsx(buffer.getvalue()).report == gk.examples.seed_report()
True
"""

from ._read import parse_xlsx, read_xlsx
from ._report import read_report
from ._safety import MAX_CELL_CHARS
from ._write import write_report, write_template

__all__ = ["MAX_CELL_CHARS", "parse_xlsx", "read_report", "read_xlsx", "write_report", "write_template"]
