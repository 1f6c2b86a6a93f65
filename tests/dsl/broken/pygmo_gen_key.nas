# expect 5:20 `gen` is written `generations`
budget = 10 evals
space cell { }
evaluate nasbench101 { }
search pygmo.pso { gen = 10 }
