"""Two faults the query group's mutation round showed, fixed: under ``kg serve --base-url`` a HEAD
answer gives the headers GET gives (the rewritten body's Content-Length, not the file's), and the
service description asked for in a format it cannot take names that format, not the Accept header."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from kg.config import load_config
from kg.server.app import ServeOptions, create_app

PATHS = ["/id/person/leon-trotsky", "/dumps/dataset.ttl", "/", "/graph/ontology", "/sparql"]
ACCEPTS = ["text/turtle", "application/ld+json", "application/n-triples", "text/html"]


@pytest.fixture(scope="module")
def local(built_mini: Path) -> Iterator[TestClient]:
    opts = ServeOptions(timeout=5.0, workers=1, base_url="http://testserver/")
    with TestClient(create_app(load_config(built_mini), options=opts), base_url="http://testserver") as c:
        yield c


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("accept", ACCEPTS)
def test_head_gives_gets_headers_under_base_url(local: TestClient, path: str, accept: str) -> None:
    get = local.get(path, headers={"Accept": accept}, follow_redirects=False)
    head = local.head(path, headers={"Accept": accept}, follow_redirects=False)
    assert head.status_code == get.status_code
    assert head.content == b""
    assert head.headers.get("content-type") == get.headers.get("content-type")
    if get.status_code == 200:
        assert head.headers.get_list("content-length") == [str(len(get.content))]


def test_the_rewritten_turtle_head_length_is_not_the_files(local: TestClient, built_mini: Path) -> None:
    """The value the fault showed: the file on disk is shorter than the answer (local IRIs are longer)."""
    on_disk = (built_mini / "output" / "site" / "id" / "person" / "leon-trotsky.ttl").read_bytes()
    head = local.head("/id/person/leon-trotsky", headers={"Accept": "text/turtle"})
    assert int(head.headers["content-length"]) != len(on_disk)
    assert int(head.headers["content-length"]) == len(on_disk.replace(b"https://w3id.org/arthur-kg/", b"http://testserver/"))


@pytest.mark.parametrize("name", ["csv", "tsv", "no-such-format"])
def test_the_service_description_names_the_format_asked_for(built_mini: Path, name: str) -> None:
    with TestClient(create_app(load_config(built_mini), options=ServeOptions(timeout=5.0, workers=1)),
                    base_url="http://testserver") as c:
        r = c.get(f"/sparql?format={name}")
    assert r.status_code == 406
    body = r.json()
    assert body["message"] == f"cannot describe the service as {name!r}"
    assert body["hint"].startswith("Name one of: ") and "turtle" in body["hint"]
    assert body["hint"].endswith("(with ?format= or ?_mediatype=)")
