"""The package says what it is: its license file, classifiers and where its documentation is."""
from __future__ import annotations

import configparser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _metadata() -> configparser.SectionProxy:
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg")
    return config["metadata"]


def test_the_declared_license_has_its_file():
    meta = _metadata()
    assert meta["license"] == "MIT" and meta["license_files"] == "LICENSE"
    text = (ROOT / "LICENSE").read_text()
    assert text.startswith("MIT License") and "Copyright (c) the nasdsl authors" in text


def test_classifiers_and_the_documentation_link():
    meta = _metadata()
    classifiers = set(filter(None, meta["classifiers"].splitlines()))
    assert {"Intended Audience :: Science/Research",
            "Topic :: Scientific/Engineering :: Artificial Intelligence",
            "License :: OSI Approved :: MIT License",
            "Programming Language :: Python :: 3.11"} <= classifiers
    assert any(c.startswith("Development Status :: ") for c in classifiers)
    assert any(c.startswith("Operating System :: ") for c in classifiers)
    urls = dict(line.split(" = ", 1) for line in meta["project_urls"].splitlines() if line)
    assert urls["Documentation"].startswith("https://")
