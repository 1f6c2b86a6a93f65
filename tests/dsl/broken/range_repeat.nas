# expect 2:10 `repeat` must be an integer in [1, 1000000], got 0
repeat = 0
budget = 10 evals
space cell { }
evaluate nasbench101 { }
search random
