# expect 5:45 `population` must be an integer in [1, 100000], got 0.5
budget = 10 evals
space cell { }
evaluate nasbench101 { }
search regularized_evolution { population = 0.5 }
