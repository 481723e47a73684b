"""Spreadsheet exports: a CSV download that Excel opens with Chinese text intact, and whose
cells a spreadsheet never runs as formulas (CSV injection)."""

import csv
import io
from collections.abc import Iterable, Iterator

from flask import Response, stream_with_context

# Characters that make a spreadsheet read a cell as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def plain_cell(text: str) -> str:
    """Text a spreadsheet shows as text, never runs as a formula."""
    text = str(text)
    return "'" + text if text.startswith(FORMULA_START) else text


def csv_chunks(rows: Iterable[list], flush_at: int = 64 * 1024) -> Iterator[bytes]:
    """UTF-8 with a byte-order mark, so that Excel opens Chinese text correctly. Sent on every
    flush_at characters, so that an export of a million rows never sits whole in memory."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    yield "\ufeff".encode()
    for row in rows:
        writer.writerow([str(cell) for cell in row])
        if buffer.tell() >= flush_at:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def csv_download(rows: Iterable[list], filename: str) -> Response:
    """The rows as a CSV attachment, written while the request's context lasts."""
    return Response(
        stream_with_context(csv_chunks(rows)),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
