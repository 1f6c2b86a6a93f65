# Which search finds the best NAS-Bench-101 cells for the fewest evaluations? Every
# algorithm at 150 and 1,500 evaluations, 30 runs each with the same seeds, settings chosen
# once here. fitness is test_accuracy: the shared table holds only that (one training run).
experiment nb101_search_quality

seed   = 0
repeat = 30
budget in [150 evaluations, 1500 evaluations]

space cell { vertices = 7; edges = 9; ops = [conv1x1, conv3x3, maxpool3x3] }

evaluate nasbench101 {
    fitness = test_accuracy
    report  = [test_accuracy]
}

search random
search regularized_evolution as evolution { population = 64; sample = 16; mutation = flip(rate = 1.0) }
search local_search { initial = 20 }
search bananas { initial = 10; batch = 10; retrain = 30; ensemble = 5; parents = 10 }
search ppo { units = 64; batch = 10; epochs = 4; minibatches = 4; clip = 0.2; entropy = 0.05; value = 0.5; learning_rate = 0.001 }

run { workers = 2 }
output = "results/nb101_search_quality"
