# expect 5:66 must be a tuple of 2 values, got 3 values
budget = 10 evals
space cell { }
evaluate nasbench101 { }
search regularized_evolution { (population, sample) in [(10, 2), (10, 2, 3)] }
