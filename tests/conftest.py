"""Shared fixtures. Data lives beside the repository in ../shared/data (or $NASDSL_SHARED_DATA);
it is never copied into the project. In CI (CI=true) missing data fails the test."""
from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# Property tests judge behaviour, never speed: no per-example deadline, whatever the load of
# the machine running them (speed is measured by bench/).
settings.register_profile("nasdsl", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("thorough", parent=settings.get_profile("nasdsl"), max_examples=2000)
settings.load_profile("nasdsl")  # `pytest --hypothesis-profile thorough` searches harder

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = Path(os.environ.get("NASDSL_SHARED_DATA", ROOT.parent / "shared" / "data"))


def need_file(path: Path) -> Path:
    """Return `path`, or skip (fail in CI) when the data is not there."""
    if not path.exists():
        msg = f"data not found: {path}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(msg)
        pytest.skip(msg)
    return path


@pytest.fixture(scope="session")
def nb101_table() -> Path:
    """The shared NAS-Bench-101 table (.npz: hash, spec, test accuracy of run 0)."""
    return need_file(SHARED_DATA / "nasbench101" / "nb101_test_r0.npz")


@pytest.fixture(scope="session")
def fashion_mnist_dir() -> Path:
    return need_file(SHARED_DATA / "fashion-mnist")


@pytest.fixture(scope="session")
def nb101_store(nb101_table: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A NAS-Bench-101 store imported from the shared table once per test run, in a temporary
    data folder that parallel workers share (the first to get the lock imports it, by rename, so
    the others find it whole); returns the store folder (pass it as `data`). Sets nothing global."""
    from nasdsl.store.importer import import_file
    from nasdsl.store.paths import store_dir

    folder = _run_folder(tmp_path_factory) / "nb101-data"
    with _exclusive(folder.with_suffix(".lock")):
        store = store_dir(folder)
        if not (store / "meta.json").is_file():
            return import_file(nb101_table, folder).store
    return store


def _run_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The temporary folder of the whole test run: under pytest-xdist each worker has its own
    base folder inside it."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@contextlib.contextmanager
def _exclusive(lock: Path):
    with open(lock, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@pytest.fixture(autouse=True, scope="session")
def _private_data_folder(tmp_path_factory: pytest.TempPathFactory):
    """Every test (and every subprocess it starts) gets an empty data folder of its own, so
    no test reads or writes the user's `~/.cache/nasdsl`; tests that need a store say so."""
    folder = tmp_path_factory.mktemp("default-data")
    old = os.environ.get("NASDSL_DATA")
    os.environ["NASDSL_DATA"] = str(folder)
    yield folder
    if old is None:
        os.environ.pop("NASDSL_DATA", None)
    else:
        os.environ["NASDSL_DATA"] = old
