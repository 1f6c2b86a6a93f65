# expect 4:30 unknown optimizer `adamw`
budget = 10 evals
space cell { }
evaluate keras { optimizer = adamw(learning_rate = 0.1) }
search random
