# expect 3:28 unexpected `..`
budget = 10 evals
space global { layers = 1.5..3 }
evaluate keras { }
search random
