# expect 2:10 whole number of evaluations
budget = 1.5 evaluations
space cell { }
evaluate nasbench101 { }
search random
