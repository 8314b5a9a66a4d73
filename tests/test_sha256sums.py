"""SHA256SUMS as ``kg.publish.sha256sums`` writes it (a batch of lines at a time, each one ``%`` of a
repeated format): the same bytes as one line per file written plainly, whatever the names hold and
wherever the batches end."""
from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kg.publish as publish  # noqa: F401
from kg.publish import sums
from kg.publish import sha256sums

NAMES = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\n"), min_size=1,
                max_size=12)


def _plain(names: list[str], staged: dict[str, str], files: dict[str, bytes]) -> bytes:
    return "".join(f"{staged[n] if n in staged else hashlib.sha256(files[n]).hexdigest()}  {n}\n"
                   for n in names).encode()


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(NAMES, st.tuples(st.booleans(), st.binary(max_size=8)), max_size=40),
       st.integers(min_value=1, max_value=7))
def test_the_sums_are_one_plain_line_per_file(entries: dict, batch: int) -> None:
    staged = {n: hashlib.sha256(b"staged " + data).hexdigest() for n, (is_staged, data) in entries.items() if is_staged}
    files = {n: data for n, (is_staged, data) in entries.items() if not is_staged}
    names = sorted(entries)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(sums, "BATCH", batch)
        assert sha256sums(names, staged, files) == _plain(names, staged, files)


def test_names_with_format_characters_are_written_as_they_are() -> None:
    staged = {"a%s.html": "0" * 64, "b%%d": "1" * 64}
    files = {"c%(x)s": b"data"}
    names = sorted([*staged, *files])
    assert sha256sums(names, staged, files) == (
        f"{'0' * 64}  a%s.html\n{'1' * 64}  b%%d\n{hashlib.sha256(b'data').hexdigest()}  c%(x)s\n").encode()


def test_no_names_no_lines() -> None:
    assert sha256sums([], {}, {}) == b""


def test_a_digest_of_another_length_is_an_error_not_a_shifted_line() -> None:
    """``sums.lines`` records where each line begins from the names' lengths (a digest is 64
    characters); a digest of another length (a damaged record) would shift every later offset, so it
    is an error, whatever the names' lengths."""
    names = ["a.html", "b é.html", "c.ttl"]
    good = {n: hashlib.sha256(n.encode()).hexdigest() for n in names}
    text, starts = sums.lines(names, good.__getitem__)
    assert list(starts) == [0, 73, 149, 221] and len(text) == 221
    for bad in ("0" * 63, "0" * 65, ""):
        with pytest.raises(ValueError, match="another length"):
            sums.lines(names, {**good, "b é.html": bad}.__getitem__)
    assert sums.lines(names, {**good, "c.ttl": "0" * 63}.__getitem__, starts=False)[1] is None  # not checked
