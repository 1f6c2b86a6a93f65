# expect 2:19 unexpected `seed`
budget = 10 evals seed = 1
space cell { }
evaluate nasbench101 { }
search random
