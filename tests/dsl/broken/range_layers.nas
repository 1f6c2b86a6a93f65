# expect 3:25 `layers` must be an integer ≥ 1 or a range
budget = 10 evals
space global { layers = 0 }
evaluate keras { }
search random
