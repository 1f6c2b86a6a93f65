# expect 4:10 package.module:name
budget = 10 evals
space cell { }
evaluate "mymodule.Evaluator" { }
search random
