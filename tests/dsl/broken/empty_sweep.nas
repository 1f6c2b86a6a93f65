# expect 5:46 a sweep needs at least one value
budget = 10 evals
space cell { }
evaluate nasbench101 { }
search regularized_evolution { population in [] }
