# expect 2:12 an experiment name holds
experiment "a/b"
budget = 10 evals
space cell { }
evaluate nasbench101 { }
search random
