# expect 3:25 `vertices` must be an integer in [2, 32], got 1
budget = 10 evals
space cell { vertices = 1 }
evaluate keras { }
search random
