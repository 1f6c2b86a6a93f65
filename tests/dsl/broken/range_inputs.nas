# expect 3:23 `inputs` must be an integer in [1, 31], got 0
budget = 10 evals
space cell { inputs = 0 }
evaluate nasbench101 { }
search random
