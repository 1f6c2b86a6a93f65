# expect 4:10 unknown evaluator `nasbench`
budget = 10 evals
space cell { }
evaluate nasbench { }
search random
