# expect 3:30 op `conv5x5` is not in NAS-Bench-101
budget = 10 evals
space cell { ops = [conv3x3, conv5x5] }
evaluate nasbench101 { }
search random
