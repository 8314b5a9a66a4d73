"""The extra publishers that add files to output/ after the dumps (pages, maps). Each is a pure
function ``(dataset, config) -> {relative path: bytes}``; list them here in the order they run. An
extra marked ``cached`` also takes ``cache=`` (the build cache: the maps keep their drawings there),
one marked ``shares`` renders a share of its files into a stage (the pages: ``kg.publish._into``)."""
from __future__ import annotations

from kg.maps.pages import maps
from kg.model import Extra
from kg.publish.pages import pages
from kg.publish.ontodoc import ontodoc

EXTRAS: tuple[Extra, ...] = (maps, ontodoc, pages)
