# expect 5:8 unknown algorithm `pygmo.psoo`
budget = 10 evals
space cell { }
evaluate nasbench101 { }
search pygmo.psoo { population = 10 }
