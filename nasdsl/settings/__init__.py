"""How components declare their settings: name, type, default, one line of help, and the
cross-checks of their `validate`. The language checks a file against these declarations;
`nasdsl list` prints them."""
from __future__ import annotations

from nasdsl.settings.review import (
    Review, SettingError, keyword_parameters, not_above, parameters_of, summary_of,
    with_defaults, within_bounds,
)
from nasdsl.settings.types import (
    BUDGET_UNITS, RATE, REQUIRED, AnyType, BoolType, BudgetType, CallType, ChoiceType, Context,
    IntType, LayersType, ListType, NameType, NumberType, OneOf, Param, StringType, ValueType,
    plain, show,
)

__all__ = [
    "BUDGET_UNITS", "RATE", "REQUIRED", "AnyType", "BoolType", "BudgetType", "CallType",
    "ChoiceType", "Context", "IntType", "LayersType", "ListType", "NameType", "NumberType",
    "OneOf", "Param", "Review", "SettingError", "StringType", "ValueType", "keyword_parameters",
    "not_above",
    "parameters_of", "plain", "show", "summary_of", "with_defaults", "within_bounds",
]
