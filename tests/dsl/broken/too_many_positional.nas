# expect 5:53 `flip` takes at most 1 argument
budget = 10 evals
space cell { }
evaluate nasbench101 { }
search regularized_evolution { mutation = flip(0.1, 0.2) }
