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

from kg.jsontext import dumps

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
