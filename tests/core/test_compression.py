"""Issue 13, item 3: the app compresses what it sends when the browser asks (no proxy does it
by default), keeps the caching headers right, and leaves small answers alone."""

import gzip
import re

import brotli
import pytest

BROWSER = "gzip, deflate, br, zstd"


def without_tokens(page: bytes) -> bytes:
    return re.sub(rb'"[A-Za-z0-9._-]{40,}"', b'""', page)


@pytest.mark.parametrize(
    ("accept", "encoding", "decode"),
    [(BROWSER, "br", brotli.decompress), ("gzip, deflate", "gzip", gzip.decompress)],
)
def test_the_operators_queue_is_sent_compressed_and_still_never_stored(
    login_as, accept, encoding, decode
):
    operator = login_as("operator")
    operator.get("/operator/orders")  # shows the flash of the login
    response = operator.get("/operator/orders", headers={"Accept-Encoding": accept})
    plain = operator.get("/operator/orders").get_data()
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == encoding
    assert int(response.headers["Content-Length"]) == len(response.get_data()) < len(plain) / 3
    # The same page, apart from the CSRF tokens every rendering draws afresh.
    assert without_tokens(decode(response.get_data())) == without_tokens(plain)
    vary = {value.strip() for value in response.headers["Vary"].split(",")}
    assert {"Accept-Encoding", "HX-Request"} <= vary
    assert response.headers["Cache-Control"] == "no-store"


def test_a_browser_that_asks_for_nothing_gets_it_plain(login_as):
    response = login_as("resident").get("/repairs")
    assert "Content-Encoding" not in response.headers
    assert "Accept-Encoding" in response.headers["Vary"]


def test_a_small_answer_goes_out_as_it_is(client):
    response = client.get("/healthz", headers={"Accept-Encoding": BROWSER})
    assert response.status_code == 200
    assert "Content-Encoding" not in response.headers


def test_static_files_are_compressed_and_keep_a_validator_of_their_own(client):
    path = "/static/vendor/htmx.min.js"
    with client.get(path) as plain, client.get(path, headers={"Accept-Encoding": BROWSER}) as br:
        assert br.headers["Content-Encoding"] == "br"
        assert brotli.decompress(br.get_data()) == plain.get_data()
        # A compressed body is another representation: its ETag must differ from the plain one's.
        assert br.headers["ETag"] != plain.headers["ETag"]
        assert br.headers["Cache-Control"] == plain.headers["Cache-Control"]
        etag = br.headers["ETag"]
    headers = {"Accept-Encoding": BROWSER, "If-None-Match": etag}
    with client.get(path, headers=headers) as again:
        assert again.status_code == 304
    with client.get(path, headers={"Accept-Encoding": "gzip, deflate"}) as gz:
        assert gzip.decompress(gz.get_data()) == plain.get_data()


def test_compression_is_off_where_a_proxy_does_it(make_app, demo):
    app = make_app(COMPRESS_RESPONSES=False)
    response = app.test_client().get("/login", headers={"Accept-Encoding": BROWSER})
    assert response.status_code == 200
    assert "Content-Encoding" not in response.headers
