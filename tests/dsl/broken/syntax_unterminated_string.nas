# expect 3:10 unterminated string
budget = 10 evals
output = "results
space cell { }
evaluate nasbench101 { }
search random
