# expect 3:38 unexpected `}`
budget = 10 evals
space cell { ops = [conv1x1, conv3x3 }
evaluate nasbench101 { }
search random
