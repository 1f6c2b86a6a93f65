# expect 3:30 `ops` lists conv3x3 twice
budget = 10 evals
space cell { ops = [conv3x3, conv3x3] }
evaluate nasbench101 { }
search random
