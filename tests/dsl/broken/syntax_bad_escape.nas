# expect 3:12 unknown escape
budget = 10 evals
output = "a\nb"
space cell { }
evaluate nasbench101 { }
search random
