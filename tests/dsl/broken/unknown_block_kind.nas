# expect 3:1 unknown block `spcae`
budget = 10 evals
spcae cell { }
evaluate nasbench101 { }
search random
