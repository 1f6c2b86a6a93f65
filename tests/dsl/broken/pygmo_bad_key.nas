# expect 5:37 unknown key `omgea` in `search pygmo.pso`
budget = 10 evals
space cell { }
evaluate nasbench101 { }
search pygmo.pso { population = 10; omgea = 0.5 }
