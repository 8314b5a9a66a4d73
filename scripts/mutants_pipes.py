"""Hand-written mutants of the thirty-second round's changes: the build's pipes a mebibyte wide
(``kg.pipes`` and the five places that make a pipe), and the validation that reads the shapes,
hashes each unit's reach and splits the other shapes' focus nodes before it asks for the SPARQL
targets' (``kg.validation.partitioned.shape_plan``, ``kg.incremental.validate_units``). Run by
``scripts/handmutants.py``; prints one line per mutant and exits 1 if one survives.

    python scripts/mutants_pipes.py [INDEX ...]
"""
from __future__ import annotations

import sys

from handmutants import run

PIPES = ["tests/test_pipes.py"]
BUILD = ["tests/test_pipes.py::test_the_build_answers_through_wide_pipes_and_publishes_the_same"]
LATER = ["tests/test_pipes.py::test_later_answers_through_a_wide_pipe"]
ORDER = ["tests/test_validate_parallel.py::test_the_units_reach_is_hashed_before_the_sparql_targets_are_asked_for"]
SHAPED = ["tests/test_validate_parallel.py::test_a_shape_with_a_target_of_an_unknown_kind_is_left_whole_without_running_its_others",
          "tests/test_validate_parallel.py::test_focus_nodes_equal_pyshacls_own"]
UNITS = ["tests/test_validate_parallel.py::test_a_node_targeted_through_another_essays_link_is_validated_again",
         "tests/test_incremental.py", "tests/test_reached_reuse.py"]

#: (file, old text, new text, tests): each old text occurs once in its file
M = [
    # kg.pipes
    ("kg/pipes.py", "WIDTH = 1 << 20", "WIDTH = 1 << 16", PIPES),
    ("kg/pipes.py", "        return fcntl.fcntl(end.fileno(), _SET_SIZE, WIDTH)",
     "        fcntl.fcntl(end.fileno(), _SET_SIZE, WIDTH)\n        return None", PIPES),
    ("kg/pipes.py", "    widen(send)\n", "", PIPES),
    ("kg/pipes.py", "    except (OSError, ValueError):", "    except OSError:", PIPES),
    ("kg/pipes.py", "    if _SET_SIZE is None:", "    if True:", PIPES),
    # the pipes the build makes
    ("kg/publish/__init__.py", "        self.receive, send = pipe(ctx)", "        self.receive, send = ctx.Pipe(duplex=False)", BUILD),
    ("kg/publish/__init__.py", "            inbox, self.ask = pipe(ctx)", "            inbox, self.ask = ctx.Pipe(duplex=False)", BUILD),
    ("kg/publish/__init__.py", "    receive, send = pipe(ctx)\n    process = ctx.Process(target=_extras_worker",
     "    receive, send = ctx.Pipe(duplex=False)\n    process = ctx.Process(target=_extras_worker", BUILD),
    ("kg/validation/partitioned.py", "        receive, send = pipe(ctx)", "        receive, send = ctx.Pipe(duplex=False)", BUILD),
    ("kg/later.py", "            self._receive, send = pipe(ctx)", "            self._receive, send = ctx.Pipe(duplex=False)", LATER),
    # the shapes read alone, first
    ("kg/validation/partitioned.py", "    return all((target, RDF.type, SH.SPARQLTarget) in shapes and (target, SH.select, None) in shapes",
     "    return any((target, RDF.type, SH.SPARQLTarget) in shapes and (target, SH.select, None) in shapes", SHAPED),
    ("kg/validation/partitioned.py", "    if not _targets_known(shapes, shape):\n        return None\n", "", SHAPED),
    ("kg/validation/partitioned.py", "    hops = max([r for r in reach.values() if r < _UNBOUNDED] or [0])\n    queried =",
     "    hops = max([r for r in reach.values()] or [0])\n    queried =", SHAPED + UNITS),
    ("kg/incremental.py", "    last = _LastBuild(cache, parts, view, hops)\n",
     "    plan(graph, shapes, prune=False, store_of=store_of, shaped=shaped)\n    last = _LastBuild(cache, parts, view, hops)\n", ORDER),
    ("kg/incremental.py", "    static = [s for s in shaped.known if s not in shaped.queried]", "    static = list(shaped.known)", ORDER),
    ("kg/validation/partitioned.py", "    queried = tuple(s for s in known if (s, SH.target, None) in shapes)", "    queried = ()", ORDER),
    ("kg/incremental.py", "        key = digest(common, hashed[i], \"\\n\".join(asked_pairs), hashes[i])",
     "        key = digest(common, hashed[i], \"\", hashes[i])", ORDER),
    ("kg/incremental.py", "        key = digest(common, hashed[i], \"\\n\".join(asked_pairs), hashes[i])",
     "        key = digest(common, hashed[0], \"\\n\".join(asked_pairs), hashes[i])", UNITS),
    ("kg/incremental.py", "        key = digest(common, hashed[i], \"\\n\".join(asked_pairs), hashes[i])",
     "        key = digest(common, hashed[i], \"\\n\".join(asked_pairs), hashes[0])", UNITS),
]


def main() -> None:
    run(M, "pipes", sys.argv[1:])


if __name__ == "__main__":
    main()
