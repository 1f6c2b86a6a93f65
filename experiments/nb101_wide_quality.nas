# The study's wide space (every vertex, the output included, has at most two inputs; 182,947
# cells) at the DQN study's 2,000 episodes: the LSTM DQN controller against local search and
# BANANAS with the settings of nb101_search_quality.nas, the same seeds for every search.
experiment nb101_wide_quality

seed   = 0
repeat = 10
budget = 2000 evaluations

space cell { inputs = 2 }

evaluate nasbench101 {
    fitness = test_accuracy
    report  = [test_accuracy]
}

search dqn as lstm { network = lstm(units = 64) }
search local_search { initial = 20 }
search bananas { initial = 10; batch = 10; retrain = 30; ensemble = 5; parents = 10 }

run { workers = 2 }
output = "results/nb101_wide_quality"
