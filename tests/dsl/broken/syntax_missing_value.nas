# expect 2:10 unexpected end of line
budget = 
search random
space cell { }
evaluate nasbench101 { }
