# expect 3:10 `output` must be a string
budget = 10 evals
output = results
space cell { }
evaluate nasbench101 { }
search random
