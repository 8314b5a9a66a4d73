"""kg/jsontext.py writes exactly ``json.dumps(value, ensure_ascii=False, indent=1[, sort_keys=True])``:
on generated values of every kind json knows (strings with control and non-ASCII characters, numbers,
NaN and infinities, None, booleans, nested and empty containers, tuples, subclasses of str and int,
keys that are not strings), and on the published files that use it."""
from __future__ import annotations

import enum
import json
import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.jsontext import Written, dumps

ROOT = Path(__file__).resolve().parent.parent


class Name(str):
    pass


class Level(enum.IntEnum):
    LOW = 1


scalars = st.one_of(
    st.text(), st.text(alphabet=st.characters(max_codepoint=0x20)), st.integers(), st.floats(), st.none(),
    st.booleans(), st.text().map(Name), st.sampled_from([Level.LOW, math.inf, -math.inf, math.nan, 0.0, -0.0]))
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.lists(inner, max_size=3).map(tuple),
                            st.dictionaries(st.text(max_size=5), inner, max_size=4)),
    max_leaves=30)


@settings(max_examples=400, deadline=None)
@given(values, st.booleans())
def test_the_text_of_json_dumps_for_any_value(value: object, sort_keys: bool) -> None:
    assert dumps(value, sort_keys=sort_keys) == json.dumps(value, ensure_ascii=False, indent=1, sort_keys=sort_keys)


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(st.one_of(st.integers(), st.booleans(), st.none(), st.floats(allow_nan=False)), values,
                       min_size=1, max_size=4))
def test_keys_that_are_not_strings_are_written_as_json_writes_them(value: dict) -> None:
    assert dumps({"outer": value}) == json.dumps({"outer": value}, ensure_ascii=False, indent=1)


@pytest.mark.parametrize("value", [{"a": object()}, [1, {2, 3}], {"a": 1, 2: "b"}])
def test_what_json_cannot_write_raises_what_json_raises(value: object) -> None:
    with pytest.raises(TypeError) as ours:
        dumps(value, sort_keys=True)
    with pytest.raises(TypeError) as theirs:
        json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True)
    assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("name", ["output/annotations.jsonld", "output/argument.aif.json"])
def test_the_published_files_are_its_text(name: str) -> None:
    data = (ROOT / name).read_text(encoding="utf-8")
    doc = json.loads(data)
    sort_keys = "aif" in name
    assert dumps(doc, sort_keys=sort_keys) + "\n" == data
    assert len(data) > 10_000


# --- values written by their makers (kg.jsontext.Written) -----------------------------------------
def _written(value: object) -> Written:
    """``value`` as a ``Written``: its text at any line prefix (a JSON text has no newline but its own)."""
    return Written(lambda nl: dumps(value).replace("\n", nl), lambda: value)


def _wrap(value: object, data) -> object:  # noqa: ANN001
    """``value`` with some of its dictionaries and lists given as ``Written`` (chosen by ``data``)."""
    if isinstance(value, dict):
        inner = {k: _wrap(v, data) for k, v in value.items()}
    elif isinstance(value, list):
        inner = [_wrap(v, data) for v in value]
    else:
        return value
    return _written(value) if data.draw(st.booleans()) else inner


@settings(max_examples=300, deadline=None)
@given(values, st.booleans(), st.data())
def test_a_written_value_is_put_in_place_as_json_would_write_its_value(value: object, sort_keys: bool, data) -> None:  # noqa: ANN001
    """At any depth, with keys sorted (then json.dumps writes the whole, given each Written's value)
    or not, and beside values that only json.dumps writes (a NaN, a key that is not a string)."""
    wrapped = _wrap(value, data)
    assert dumps(wrapped, sort_keys=sort_keys) == json.dumps(value, ensure_ascii=False, indent=1, sort_keys=sort_keys)


def test_what_json_cannot_write_beside_a_written_value_raises_what_json_raises() -> None:
    with pytest.raises(TypeError) as ours:
        dumps([_written({"a": 1}), {1, 2}])
    assert str(ours.value) == "Object of type set is not JSON serializable"


item_fields = st.tuples(*[st.text()] * 8, st.integers(min_value=0), st.integers(min_value=0))


@settings(max_examples=200, deadline=None)
@given(st.lists(item_fields, max_size=4), st.integers(min_value=0, max_value=6), st.booleans())
def test_a_page_of_annotations_is_its_items_as_json_writes_them(page: list, depth: int, sort_keys: bool) -> None:
    """kg.publish.exports writes a page's Web Annotations from one template: the same characters as
    their dictionaries, at any depth, for any number of items (control characters, quotes,
    backslashes, non-ASCII and lone surrogates in the texts); with keys sorted, json writes them."""
    from kg.publish.exports import _item_value, _items

    values = [_item_value(*fields) for fields in page]
    doc = {"items": _items(page), "depth": [[[[[[0]]]]]][:depth]}
    assert dumps(doc, sort_keys=sort_keys) == json.dumps({"items": values, "depth": doc["depth"]}, ensure_ascii=False,
                                                         indent=1, sort_keys=sort_keys)
    nl = "\n" + " " * depth
    if page:
        assert _items(page).text(nl) == json.dumps(values, ensure_ascii=False, indent=1).replace("\n", nl)


def test_the_built_annotations_are_json_s_text_of_themselves(real_build: Path) -> None:
    """The essay's annotations.jsonld as this build writes it (its items from the template) is what
    json.dumps writes for the document it parses to."""
    data = (real_build / "annotations.jsonld").read_text(encoding="utf-8")
    doc = json.loads(data)
    assert len(doc["@graph"]) > 2 and doc["@graph"][1]["items"]
    assert json.dumps(doc, ensure_ascii=False, indent=1) + "\n" == data
