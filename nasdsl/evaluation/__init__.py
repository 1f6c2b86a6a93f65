"""Between a search and its evaluators: the budget a run spends, the `Batch` that hands
candidates to an evaluator (all at once, or one at a time to whichever worker is free), the
history of what came back, and the replay that answers a resumed run from its journal.

Searches (`nasdsl.optimizers`) and executors (`nasdsl.execution`, `nasdsl.cluster`) both
build on this package; it knows neither.
"""
