# expect 5:45 only allowed for `budget`
budget = 10 evals
space cell { }
evaluate nasbench101 { }
search regularized_evolution { population = 10 evaluations }
