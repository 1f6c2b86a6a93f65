# expect 3:25 `vertices` must be ≤ 7
budget = 10 evals
space cell { vertices = 8 }
evaluate nasbench101 { }
search random
