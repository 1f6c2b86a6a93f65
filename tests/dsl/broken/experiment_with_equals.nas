# expect 2:1 `experiment NAME` (no `=`)
experiment = "x"
budget = 10 evals
space cell { }
evaluate nasbench101 { }
search random
