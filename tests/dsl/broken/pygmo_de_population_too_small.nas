# expect 5:8 needs at least 5 individuals in the population, 3 detected
budget = 10 evals
space cell { }
evaluate nasbench101 { }
search pygmo.de { population = 3 }
