# expect 3:1 unknown key `repeats` at the top level
budget = 10 evals
repeats = 3
space cell { }
evaluate nasbench101 { }
search random
