# expect 3:22 `edges` must be an integer in [1, 496], got 0
budget = 10 evals
space cell { edges = 0 }
evaluate keras { }
search random
