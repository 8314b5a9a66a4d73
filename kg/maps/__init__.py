"""The argument and concept maps: ``model`` (what a map shows), ``layout`` (where boxes go), ``svg``
(drawing), ``pages`` (the site pages around the drawings)."""
