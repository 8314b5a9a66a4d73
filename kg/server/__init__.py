"""The server: the SPARQL 1.1 Protocol, linked-data pages and the static site over what the build
published (``create_app`` is the app factory; ``serve`` runs it with uvicorn)."""
from kg.server.app import ServeOptions, create_app, serve

__all__ = ["ServeOptions", "create_app", "serve"]
