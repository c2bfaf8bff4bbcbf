"""Excel: official-layout workbooks, fillable templates, and reading them back safely.

>>> import io
>>> import gongkai_model as gk
>>> from gongkai_model import excel
>>> buffer = io.BytesIO()
>>> excel.write_report(gk.examples.seed_report(), buffer)
>>> report, issues = excel.read_report(buffer.getvalue())
>>> report == gk.examples.seed_report(), issues
(True, [])
"""

from ._read import read_report
from ._safety import MAX_CELL_CHARS, ExcelError, Limits
from ._write import write_report, write_template

__all__ = ["MAX_CELL_CHARS", "ExcelError", "Limits", "read_report", "write_report", "write_template"]
