# The study's wide space (every vertex, the output included, has at most two inputs; 182,947
# cells) at the DQN study's 2,000 episodes: the LSTM DQN controller against the PPO controller
# (the same environment and reward), local search and BANANAS, with the settings of
# nb101_search_quality.nas, the same seeds for every search.
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
search ppo { units = 64; batch = 10; epochs = 4; minibatches = 4; clip = 0.2; entropy = 0.05; value = 0.5; learning_rate = 0.001 }

run { workers = 2 }
output = "results/nb101_wide_quality"
