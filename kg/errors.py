"""The exception tree. Every error the library raises on purpose is a ``KgError``; the CLI turns
it into a message and the exit code it carries, in one place (``kg.cli``)::

    KgError                      (exit 2 unless stated)
    ├── ConfigError              bad kg.toml or option
    ├── SourceError              a source file cannot be used
    │   ├── SourceSyntaxError    Turtle that does not parse: file, line, column
    │   └── MissingSourceError   a file or folder that should exist does not
    ├── OutputError              output/ (or --output) cannot be written
    ├── EvidenceError            an evidence string missing from, or ambiguous in, the text
    ├── NonConformingError       exit 1: the graph does not conform to the shapes
    │   └── IllTypedError        a typed literal whose lexical form is not its datatype's: file:line
    ├── QueryError               a SPARQL query that is malformed or not allowed
    └── ServiceError             exit 3: an external service failed (linker, store)

Exit codes: 0 success, 1 the data does not conform, 2 bad input or configuration,
3 an external service failed.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class KgError(Exception):
    """Base of every error the library raises on purpose."""

    exit_code = 2
    hint: str | None = None

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        if hint is not None:
            self.hint = hint


class ConfigError(KgError):
    """The configuration (kg.toml or an option) is invalid."""


class SourceError(KgError):
    """A source file cannot be used."""


class MissingSourceError(SourceError):
    """A file or folder that should exist does not."""


@dataclass(frozen=True)
class Position:
    path: Path
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


class SourceSyntaxError(SourceError):
    """Turtle that does not parse; carries the file, line and column."""

    def __init__(self, position: Position, reason: str) -> None:
        self.position = position
        self.reason = reason
        super().__init__(
            f"{position}: {reason}",
            hint="Fix the Turtle syntax at that place (a missing '.', ';' or quote is the usual cause).",
        )


class OutputError(KgError):
    """The output folder cannot be written (read-only, not a folder, no room)."""


class EvidenceError(KgError):
    """Evidence strings that do not occur exactly once in the essay's text."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(
            "\n".join(problems),
            hint="Copy the passage exactly from the essay's source.txt (white space may differ); "
            "make an ambiguous passage longer so that it occurs once.",
        )


class NonConformingError(KgError):
    """The graph does not conform to the shapes."""

    exit_code = 1

    def __init__(self, message: str, report: object = None) -> None:
        self.report = report
        super().__init__(message)


class IllTypedError(NonConformingError):
    """Typed literals whose lexical forms are not their datatypes' (e.g. "19x6"^^xsd:gYear), each
    named with its file, line and column."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))
        self.hint = "Write the value in its datatype's form (xsd:gYear \"1879\", xsd:date \"1879-11-07\", xsd:integer \"3\")."


class QueryError(KgError):
    """A SPARQL query that is malformed or not allowed."""


class ServiceError(KgError):
    """An external service (a linked dataset, a triple store) failed."""

    exit_code = 3
