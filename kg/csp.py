"""The Content-Security-Policy of the site, in one place: ``kg serve`` sends ``HEADER`` with every
answer, and every built page carries ``POLICY`` in a ``<meta>`` (for static hosts, which send no
header of ours). The pages use no inline script and no eval; inline styles stay allowed (YASGUI
and the maps set some); the query pages may call another SPARQL endpoint, so ``connect-src``
allows http and https; the claim pages embed their map (an SVG of ours) with ``<object>``,
so ``object-src`` and ``frame-ancestors`` are 'self' (an embedded document obeys frame-ancestors too).
``frame-ancestors`` works only as a header (browsers ignore it in a meta)."""
from __future__ import annotations

POLICY = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
          "connect-src 'self' http: https:; object-src 'self'; base-uri 'self'; form-action 'self'")
HEADER = POLICY + "; frame-ancestors 'self'"
