# expect 4:32 a sweep inside a call is allowed only
budget = 10 evals
space cell { }
evaluate "json:loads" { x = [f(a in [1, 2])] }
search random
