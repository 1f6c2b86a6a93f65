# expect 3:7 needs `space cell`
budget = 10 evals
space global { layers = 3 }
evaluate nasbench101 { }
search random
