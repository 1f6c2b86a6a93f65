# expect 5:8 unknown algorithm `regularised_evolution`
budget = 10 evals
space cell { }
evaluate nasbench101 { }
search regularised_evolution
