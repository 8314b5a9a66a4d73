"""Validation against the shapes: the build's check and ``kg validate``.

- ``report``: the one report model (``Finding``, ``Report``) that every validation returns;
- ``shacl``: pySHACL on one graph, and the ``Report`` of its results;
- ``partitioned``: the same report, computed per essay in forked workers (the build's validator);
- ``positions``: the Turtle position reader that maps a statement to file:line:column;
- ``files``: ``kg validate`` (which files, which context, findings located in the files);
- ``formats``: the report rendered as text, JSON, JUnit, GitHub annotations, SARIF or Turtle.
"""
