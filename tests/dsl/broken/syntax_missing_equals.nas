# expect 2:8 unexpected `1500`
budget 1500 evaluations
space cell { }
evaluate nasbench101 { }
search random
