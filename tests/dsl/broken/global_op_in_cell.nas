# expect 3:21 unknown op `maxpool2x2`
budget = 10 evals
space cell { ops = [maxpool2x2] }
evaluate keras { }
search random
