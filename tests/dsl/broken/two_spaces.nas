# expect 4:1 a `space` block is given twice
budget = 10 evals
space cell { }
space global { layers = 3 }
evaluate nasbench101 { }
search random
