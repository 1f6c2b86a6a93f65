# expect 3:14 unknown key `vertexes`
budget = 10 evals
space cell { vertexes = 5 }
evaluate nasbench101 { }
search random
