# expect 4:27 a sweep inside a call is allowed only
budget = 10 evals
space cell { }
evaluate "m.n:E" { x = [f(a in [1, 2])] }
search random
