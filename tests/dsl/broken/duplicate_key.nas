# expect 3:25 `edges` is given twice
budget = 10 evals
space cell { edges = 5; edges = 6 }
evaluate nasbench101 { }
search random
