"""Hand-written mutants of the thirty-first round's changes: ``kg.later.Later`` (a value made by a
forked process), the build's report Turtle made by one (``kg.pipeline``), the reused tree's files
not put again, found ahead by one (``kg.publish.writer.Stage.find_unput``), SHA256SUMS written a
batch at a time (``kg.publish.sha256sums``), and the pages' processes' answers in ``marshal``. Run by
``scripts/handmutants.py``; prints one line per mutant and exits 1 if one survives.

    python scripts/mutants_later.py [INDEX ...]
"""
from __future__ import annotations

import sys

from handmutants import run

LATER = ["tests/test_later.py"]
FOUND = ["tests/test_reuse.py::test_the_files_not_put_are_found_ahead_and_a_file_put_since_is_kept",
         "tests/test_reuse.py::test_a_list_replaced_after_the_files_not_put_were_found_stops_the_commit",
         "tests/test_reuse.py::test_the_files_not_put_are_those_the_list_names_and_no_other"]
BUILD = ["tests/test_reuse.py::test_a_build_whose_last_steps_fork_publishes_what_one_that_does_not_does"]
SUMS = ["tests/test_sha256sums.py"]
ANSWER = ["tests/test_pages_fast.py", "tests/test_stage.py::test_a_renderer_dying_half_way_changes_nothing"]

#: (file, old text, new text, tests): each old text occurs once in its file
M = [
    # the forked process and what it sends
    ("kg/later.py", 'return hasattr(os, "fork") and (os.cpu_count() or 1) > 1', "return False", LATER),
    ("kg/later.py", "if not (fork and forkable()):", "if not forkable():", LATER),
    ("kg/later.py", "send.send_bytes(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))",
     "send.send_bytes(pickle.dumps(None))", LATER),
    ("kg/later.py", "        value = fn(*args)\n", "        value = os.getppid()\n", LATER),
    ("kg/later.py", "                    return pickle.loads(data)  # our own", "                    pickle.loads(data)  # our own", LATER),
    ("kg/later.py", "        except (EOFError, OSError):  # no value: the process died, or was stopped\n            pass",
     "        except (EOFError, OSError):  # no value: the process died, or was stopped\n            raise", LATER),
    # (thirty-ninth round) the value received as soon as it is sent, by a thread
    ("kg/later.py", "            self._got.append(self._receive.recv_bytes())", "            pass", LATER),
    ("kg/later.py", "                self._reader.join()  # the value, or the process's end", "                pass", LATER),
    ("kg/later.py", "        if process.is_alive():\n            process.kill()\n", "", LATER),
    ("kg/later.py", "        process, self._process = self._process, None\n",
     "        process = self._process\n", LATER),
    # the reused tree's files not put, found ahead
    ("kg/publish/writer.py", "            if rel not in self._put:  # not put since the list was compared",
     "            if True:  # not put since the list was compared", FOUND),
    ("kg/publish/writer.py", "        if unput is not None and _file_id(listing) != self._listing_id:",
     "        if False:", FOUND),
    ("kg/publish/writer.py", "fork=self._back_files >= FORK_UNPUT_FILES)", "fork=False)", FOUND),
    ("kg/publish/writer.py", "    return [rel for rel in held.rels if rel and rel not in put]",
     "    return [rel for rel in held.rels if rel]", FOUND),
    # the build's use of them
    ("kg/pipeline.py", "fork=len(report.graph) >= FORK_REPORT_TRIPLES)", "fork=False)", BUILD),
    ("kg/pipeline.py", "    stage.find_unput()  # the files", "    pass  # the files", BUILD),
    # SHA256SUMS
    # (in kg.publish.sums since the twenty-fifth round; the table followed in the thirty-ninth)
    ("kg/publish/sums.py", "        fields[0::2] = map(digest_of, batch)\n        fields[1::2] = batch\n",
     "        fields[0::2] = batch\n        fields[1::2] = map(digest_of, batch)\n", SUMS),
    ("kg/publish/sums.py", "    if offsets[-1] != len(text):", "    if False:", SUMS),
    ("kg/publish/sums.py", "        batch = names[i:i + BATCH]", "        batch = names[i:i + BATCH - 1]", SUMS),
    ("kg/publish/sums.py", '"%s  %s\\n" * len(batch)', '"%s  %s\\n" * (len(batch) - 1) + "%s  %s"', SUMS),
    ("kg/publish/sums.py", "fields[0::2] = map(digest_of, batch)", "fields[0::2] = map(digest_of, names[:len(batch)])", SUMS),
    # the pages' processes' answers, in marshal
    ("kg/publish/__init__.py", "        message = marshal.dumps(answer)\n", "        message = marshal.dumps(None)\n", ANSWER),
    ("kg/publish/__init__.py", "    if not ((staged or part is not None) if stage is not None else isinstance(files, dict)):",
     "    if not ((staged or part is not None) or isinstance(files, dict)):", ANSWER),
    ("kg/publish/__init__.py", "    if not ((staged or part is not None) if stage is not None else isinstance(files, dict)):",
     "    if False:", ANSWER),
]


def main() -> None:
    run(M, "later", sys.argv[1:])


if __name__ == "__main__":
    main()
