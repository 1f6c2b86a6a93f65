# expect 2:10 `budget` needs a unit
budget = 1500
space cell { }
evaluate nasbench101 { }
search random
