# expect 2:1 `seed` cannot be swept
seed in [0, 1]
budget = 10 evals
space cell { }
evaluate nasbench101 { }
search random
