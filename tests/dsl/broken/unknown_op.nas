# expect 3:30 unknown op `conv3x5`
budget = 10 evals
space cell { ops = [conv3x3, conv3x5] }
evaluate keras { }
search random
