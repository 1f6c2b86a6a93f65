# expect 3:1 `space global` needs `layers`
budget = 10 evals
space global { }
evaluate keras { }
search random
