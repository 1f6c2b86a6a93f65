# expect 3:21 unexpected `random`
budget = 10 evals
space cell { search random { } }
evaluate nasbench101 { }
search random
