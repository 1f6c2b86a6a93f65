# expect 3:25 unknown topology `tree`
budget = 10 evals
space cell { topology = tree }
evaluate nasbench101 { }
search random
