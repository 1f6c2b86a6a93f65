# expect 3:25 got 9..5
budget = 10 evals
space global { layers = 9..5 }
evaluate keras { }
search random
