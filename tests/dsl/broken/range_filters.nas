# expect 3:43 must be an integer in [1, 16384], got -32
budget = 10 evals
space global { layers = 3; filters = [16, -32] }
evaluate keras { }
search random
