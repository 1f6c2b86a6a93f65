# expect 6:17 `workers` must be an integer in [1, 256], got 0
budget = 10 evals
space cell { }
evaluate nasbench101 { }
search random
run { workers = 0 }
