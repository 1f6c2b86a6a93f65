# expect 4:31 `validation` must be a number in (0.0, 1.0), got 1.0
budget = 10 evals
space cell { }
evaluate keras { validation = 1.0 }
search random
