# expect 4:33 `epochs` must be one of 4, 12, 36, 108, got 100
budget = 10 evals
space cell { }
evaluate nasbench101 { epochs = 100 }
search random
