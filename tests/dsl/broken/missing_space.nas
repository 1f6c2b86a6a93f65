# expect 1:1 block is required
budget = 10 evals
evaluate nasbench101 { }
search random
