# expect 4:10 has no `}`
budget = 10 evals
space cell { vertices = 7
evaluate nasbench101 { }
search random
