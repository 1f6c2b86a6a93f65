# expect 3:7 unknown space kind `cel`
budget = 10 evals
space cel { }
evaluate nasbench101 { }
search random
