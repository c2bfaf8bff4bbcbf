"""Excel: official-layout workbooks, fillable templates, and reading them back safely.

The public façade of :mod:`gongkai_model.formats.xlsx`, where the reader and the writer live.

>>> import io
>>> import gongkai_model as gk
>>> from gongkai_model import excel
>>> buffer = io.BytesIO()
>>> excel.write_report(gk.examples.seed_report(), buffer)
>>> report, issues = excel.read_report(buffer.getvalue())
>>> report == gk.examples.seed_report(), issues
(True, [])
"""

from ..errors import ExcelError
from ..formats.xlsx import MAX_CELL_CHARS, read_report, write_report, write_template
from ..limits import Limits

__all__ = ["MAX_CELL_CHARS", "ExcelError", "Limits", "read_report", "write_report", "write_template"]
