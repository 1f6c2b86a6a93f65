"""Reading a descriptor text runs no code the reader did not choose: layer classes written as
'module:qualname' resolve only through NORD's layers or an explicit resolver."""
from __future__ import annotations

import sys

import numpy as np
import pytest

from nasdsl import NeuralDescriptor
from nasdsl.descriptor import import_class

MODULE = "nasdsl_text_side_effect"


@pytest.fixture
def trap(tmp_path, monkeypatch):
    """A module that leaves a file behind when imported, and a text naming its class."""
    marker = tmp_path / "imported"
    (tmp_path / f"{MODULE}.py").write_text(
        f"open({str(marker)!r}, 'w').close()\nclass Layer:\n    pass\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, MODULE, raising=False)
    text = ('{"connections":[],"first":"a","last":"a",'
            f'"layers":[["a",{{"class":"{MODULE}:Layer"}},null]]}}')
    yield marker, text
    sys.modules.pop(MODULE, None)


def test_a_text_naming_a_module_is_refused_without_importing_it(trap):
    marker, text = trap
    with pytest.raises(ValueError, match="neither an op nor a NORD layer.*resolver="):
        NeuralDescriptor.from_text(text)
    assert not marker.exists() and MODULE not in sys.modules


def test_a_class_inside_parameters_is_refused_too(trap):
    marker, _ = trap
    text = ('{"connections":[],"first":"a","last":"a","layers":[["a","conv3x3",'
            f'{{"dict":{{"kind":{{"class":"{MODULE}:Layer"}}}}}}]]}}')
    with pytest.raises(ValueError, match="neither an op nor a NORD layer"):
        NeuralDescriptor.from_text(text)
    assert not marker.exists()


@pytest.mark.parametrize("name", ["os:system", "subprocess:Popen", "builtins:eval"])
def test_standard_library_callables_are_refused(name):
    text = ('{"connections":[],"first":"a","last":"a",'
            f'"layers":[["a",{{"class":"{name}"}},null]]}}')
    with pytest.raises(ValueError, match="neither an op nor a NORD layer"):
        NeuralDescriptor.from_text(text)


def test_an_explicit_resolver_is_used(trap):
    marker, text = trap
    d = NeuralDescriptor.from_text(text, resolver=import_class)
    assert marker.exists() and d.layers["a"][0].__name__ == "Layer"


def test_a_mapping_resolver_allows_only_what_it_names(trap):
    marker, text = trap
    known = {f"{MODULE}:Layer": np.ndarray}
    d = NeuralDescriptor.from_text(text, resolver=lambda name: known[name])
    assert d.layers["a"][0] is np.ndarray and not marker.exists()


def test_op_strings_need_no_resolver():
    d = NeuralDescriptor.from_nasbench([[0, 1], [0, 0]], ["input", "output"])
    assert NeuralDescriptor.from_text(d.to_text()) == d
