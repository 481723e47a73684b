"""The one CSV download: Excel-friendly, formula-safe, and streamed in pieces."""

import csv
import io

from community.core.csvexport import csv_chunks, plain_cell


def test_a_long_export_is_sent_in_pieces_and_reads_back_whole():
    rows = [[number, f"住户 {number}", "=1+1"] for number in range(2000)]
    pieces = list(csv_chunks(([a, b, plain_cell(c)] for a, b, c in rows), flush_at=4096))
    # The byte-order mark first, then more than one piece of rows: never the whole file at once.
    assert pieces[0] == "\ufeff".encode()
    assert len(pieces) > 3
    assert all(len(piece.decode()) < 4096 + 200 for piece in pieces)  # characters, at a row end
    text = b"".join(pieces).decode("utf-8-sig")
    read = list(csv.reader(io.StringIO(text)))
    assert read == [[str(a), b, "'=1+1"] for a, b, _c in rows]
