# expect 5:55 `mutation.rate` must be a number in [0.0, 1.0], got 1.5
budget = 10 evals
space cell { }
evaluate nasbench101 { }
search regularized_evolution { mutation = flip(rate = 1.5) }
