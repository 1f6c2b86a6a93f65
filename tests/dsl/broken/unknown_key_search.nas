# expect 5:32 unknown key `populaton`
budget = 10 evals
space cell { }
evaluate nasbench101 { }
search regularized_evolution { populaton = 10 }
