"""A missing store is refused naming the folder the user gave and how to fill it."""
from __future__ import annotations

import pytest

from nasdsl.errors import DataError
from nasdsl.store.nasbench101 import NASBench101Store


def test_a_data_folder_that_does_not_exist_is_named_as_written(tmp_path):
    missing = tmp_path / "nonexistent"
    with pytest.raises(DataError) as e:
        NASBench101Store.open(missing)
    message = str(e.value)
    assert message.startswith(f"no NAS-Bench-101 store: the data folder {missing} does not exist")
    assert f"{missing}/nasbench101" not in message
    assert f"nasdsl data nasbench101 --import FILE --data {missing}`" in message


def test_an_empty_data_folder_says_where_it_looked(tmp_path):
    with pytest.raises(DataError) as e:
        NASBench101Store.open(tmp_path)
    message = str(e.value)
    assert f"no NAS-Bench-101 store in {tmp_path} (neither {tmp_path}/meta.json nor " \
           f"{tmp_path}/nasbench101/meta.json exists)" in message
