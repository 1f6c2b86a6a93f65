# expect 4:28 unknown dataset `fashion`
budget = 10 evals
space cell { }
evaluate keras { dataset = fashion }
search random
