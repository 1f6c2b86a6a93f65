# expect 5:8 cannot work with a solution archive bigger than the population size
budget = 10 evals
space cell { }
evaluate nasbench101 { }
search pygmo.gaco { ker = 40; population = 30 }
