"""Ward's method: the exact kernel, the tree, the estimator, the schedule, ties, k-means
refinement.
"""
