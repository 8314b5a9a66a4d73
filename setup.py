"""Only what pyproject.toml cannot say: the wheel ships the repository's shapes/ and ontology/ as
package data (``kg/_data/``), copied from those folders when it is built, so that there is one copy
of the truth (the folders the build uses) and an installed ``kg validate`` needs no ``--shapes``.
``kg.config.packaged`` finds the copy (or, in a source checkout, the folders themselves)."""
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
SHIPPED = {"shapes": ("*.ttl",), "ontology": ("*.ttl", "*.jsonld")}


class BuildWithData(build_py):
    def run(self) -> None:
        super().run()
        for folder, patterns in SHIPPED.items():
            for pattern in patterns:
                for src in sorted((HERE / folder).glob(pattern)):
                    target = Path(self.build_lib) / "kg" / "_data" / folder / src.name
                    target.parent.mkdir(parents=True, exist_ok=True)
                    self.copy_file(str(src), str(target))


setup(cmdclass={"build_py": BuildWithData})
