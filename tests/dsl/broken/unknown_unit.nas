# expect 2:13 unknown unit `evaluatons`
budget = 10 evaluatons
space cell { }
evaluate nasbench101 { }
search random
