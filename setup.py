"""What setup.cfg cannot say: the top-level `grammars/` folder ships inside the package as
`nasdsl.grammar` (a package_dir mapping, so no symlink is needed)."""
from setuptools import find_packages, setup

setup(packages=find_packages(include=["nasdsl", "nasdsl.*"]) + ["nasdsl.grammar"],
      package_dir={"nasdsl.grammar": "grammars"})
