# Accuracy against size on NAS-Bench-101: every multi-objective search looks for the Pareto
# front of test accuracy and trainable parameters (a cheap objective: read from the table
# before any lookup, never counted), 30 runs each with the same seeds, at 150, 1,000 and
# 10,000 evaluations. The report scores each run's front as EvoXBench's C-10/MOP1 does
# (hypervolume and IGD normalised by the true front, which the table gives exactly).
experiment nb101_multi_objective

seed   = 0
repeat = 30
budget in [150 evaluations, 1000 evaluations, 10000 evaluations]

space cell { vertices = 7; edges = 9; ops = [conv1x1, conv3x3, maxpool3x3] }

evaluate nasbench101 {
    objectives = [maximize(test_accuracy), minimize(parameters)]
}

search random
search pareto_local_search
search pygmo.nsga2     { population = 100 }
search pygmo.nsga3     { population = 100 }
search pygmo.moead     { population = 100 }
search pygmo.moead_gen { population = 100 }
search pygmo.nspso     { population = 100 }
search pygmo.maco      { population = 100 }
search pygmo.ihs       { population = 100 }

run { workers = 2 }
output = "results/nb101_multi_objective"
