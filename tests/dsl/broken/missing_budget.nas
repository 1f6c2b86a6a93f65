# expect 4:1 a budget is required
space cell { }
evaluate nasbench101 { }
search random
