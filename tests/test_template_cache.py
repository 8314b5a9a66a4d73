"""The templates' compiled code is kept beside them (``kg.publish.pages.TemplateCache``), as Python
keeps a module's: a later process loads it instead of compiling, an edited template is compiled
again, and a broken, unreadable or unwritable cache changes nothing but the time."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest
from jinja2 import Environment, FileSystemLoader
from jinja2.bccache import bc_magic

from kg.publish.pages import TemplateCache


def env_with(templates: Path, cache: Path) -> Environment:
    return Environment(loader=FileSystemLoader(str(templates)), bytecode_cache=TemplateCache(cache), autoescape=True)


@pytest.fixture
def templates(tmp_path: Path) -> Path:
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "page.html").write_text("<p>{{ name }} &amp; {{ 2 * n }}</p>\n")
    return folder


def compiles(env: Environment) -> list[str]:
    """The names of the templates ``env`` compiles from source, recorded as it does."""
    names: list[str] = []
    compile_ = env.compile

    def counted(source, name=None, filename=None, raw=False, defer_init=False):  # noqa: ANN001, ANN202
        names.append(name)
        return compile_(source, name, filename, raw, defer_init)
    env.compile = counted
    return names


def test_a_second_environment_loads_the_compiled_template(templates: Path, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    cache = tmp_path / "cache"
    first = env_with(templates, cache)
    made = compiles(first)
    assert first.get_template("page.html").render(name="<a>", n=3) == "<p>&lt;a&gt; &amp; 6</p>"
    assert made == ["page.html"]
    assert len(list(cache.glob("*.jinja"))) == 1
    second = env_with(templates, cache)
    made = compiles(second)
    assert second.get_template("page.html").render(name="<a>", n=3) == "<p>&lt;a&gt; &amp; 6</p>"
    assert made == []  # loaded, not compiled


def test_an_edited_template_is_compiled_again(templates: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    cache = tmp_path / "cache"
    env_with(templates, cache).get_template("page.html").render(name="x", n=1)
    (templates / "page.html").write_text("<b>{{ name }}</b>\n")
    env = env_with(templates, cache)
    made = compiles(env)
    assert env.get_template("page.html").render(name="x", n=1) == "<b>x</b>"
    assert made == ["page.html"]


@pytest.mark.parametrize("damage", [b"", b"j2", b"garbage" * 10, bc_magic + b"\xff\x00 not a pickle", None])
def test_a_broken_cache_file_is_compiled_again(templates: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               damage: bytes | None) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    cache = tmp_path / "cache"
    env_with(templates, cache).get_template("page.html")
    (entry,) = cache.glob("*.jinja")
    if damage is None:  # cut short inside the compiled code
        entry.write_bytes(entry.read_bytes()[:-20])
    else:
        entry.write_bytes(damage)
    env = env_with(templates, cache)
    made = compiles(env)
    assert env.get_template("page.html").render(name="x", n=2) == "<p>x &amp; 4</p>"
    assert made == ["page.html"]


def test_nothing_is_written_under_dont_write_bytecode(templates: Path, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    cache = tmp_path / "cache"
    assert env_with(templates, cache).get_template("page.html").render(name="x", n=0) == "<p>x &amp; 0</p>"
    assert not cache.exists()


def test_a_folder_that_cannot_be_made_only_costs_the_compiling(templates: Path, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """As in a read-only installation (made here with a file where the folder's parent should be:
    the tests run as root, who may write into a read-only folder)."""
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    blocker = tmp_path / "file"
    blocker.write_text("")
    env = env_with(templates, blocker / "cache")
    assert env.get_template("page.html").render(name="x", n=5) == "<p>x &amp; 10</p>"
    assert env.get_template("page.html").render(name="y", n=1) == "<p>y &amp; 2</p>"
    assert blocker.read_text() == ""
