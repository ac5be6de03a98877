"""analyses.steps"""
