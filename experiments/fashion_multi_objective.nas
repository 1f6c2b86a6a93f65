# Accuracy against size in real training, small enough for a 2-core laptop CPU: the Pareto
# front of validation accuracy and trainable parameters over shallow stacks, each candidate
# trained 1 epoch on 3,000 Fashion-MNIST images (300 held out to score it). The parameters
# are a cheap objective: counted from the network's shape before it trains, so
# pareto_local_search chooses what to train by size for free. Then the front's most
# accurate member is retrained for 1 epoch on all 60,000 images and tested.
experiment fashion_multi_objective
seed = 0
budget = 8 evaluations
space global { layers = 3..4; ops = [conv3x3, maxpool2x2]; filters = [16, 32] }
evaluate keras {
    dataset = fashion_mnist; epochs = 1; batch_size = 64; subset = 3000; validation = 0.1
    objectives = [maximize(validation_accuracy), minimize(parameters)]
}
search pareto_local_search { initial = 4; pool = 50 }
final { top = 1; epochs = 1 }
