# expect 1:1 an `evaluate` block is required
budget = 10 evals
space cell { }
search random
