"""Streamed CSV and XLSX exports of HR reports, with Norwegian headers.

Cells that a spreadsheet would run as a formula (starting with = + - @, tab or carriage
return) get a leading apostrophe, so a learner named "=HYPERLINK(...)" stays text."""

import csv
import tempfile
from collections.abc import Iterable, Iterator

from django.http import FileResponse, StreamingHttpResponse
from openpyxl import Workbook

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe_cell(value):
    """The value as a spreadsheet should show it: never a formula, dates and numbers as is."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_lines(header: list[str], rows: Iterable[list]) -> Iterator[str]:
    writer = csv.writer(_Echo(), delimiter=";")  # Excel in Norway expects semicolons
    yield "\ufeff" + writer.writerow(header)  # BOM: Excel then reads UTF-8 (æ, ø, å)
    for row in rows:
        yield writer.writerow([safe_cell(value) for value in row])


def csv_response(*, filename: str, header: list[str], rows: Iterable[list]):
    """Stream rows as CSV; nothing is held in memory beyond one row."""
    response = StreamingHttpResponse(
        _csv_lines(header, rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def xlsx_response(*, filename: str, header: list[str], rows: Iterable[list]):
    """Write rows to a temporary XLSX file in constant memory (openpyxl write-only), then
    stream the file; it is deleted when the response closes it."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=filename[:31])
    sheet.append(header)
    for row in rows:
        sheet.append([safe_cell(value) for value in row])
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes (and so deletes) it
    workbook.save(handle)
    handle.seek(0)
    return FileResponse(
        handle, as_attachment=True, filename=f"{filename}.xlsx", content_type=XLSX_TYPE
    )


def export_response(*, fmt: str, filename: str, header: list[str], rows: Iterable[list]):
    if fmt == "xlsx":
        return xlsx_response(filename=filename, header=header, rows=rows)
    return csv_response(filename=filename, header=header, rows=rows)
