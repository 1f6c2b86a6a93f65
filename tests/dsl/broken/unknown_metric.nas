# expect 4:34 unknown metric `test_acuracy`
budget = 10 evals
space cell { }
evaluate nasbench101 { report = [test_acuracy] }
search random
