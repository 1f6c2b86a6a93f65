# expect 5:24 `decay` needs `steps`
budget = 2 hours
space cell { }
evaluate nasbench101 { }
search dqn { epsilon = decay(start = 1.0, end = 0.1) }
