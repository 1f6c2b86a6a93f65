# expect 5:8 multi-objective
budget = 10 evals
space cell { }
evaluate nasbench101 { }
search pygmo.nsga2 { population = 8 }
