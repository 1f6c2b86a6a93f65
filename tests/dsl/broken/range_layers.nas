# expect 3:25 `layers` must be an integer in [1, 1000] or a range
budget = 10 evals
space global { layers = 0 }
evaluate keras { }
search random
