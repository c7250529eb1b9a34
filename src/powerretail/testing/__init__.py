"""The test kit for embedders: hypothesis strategies for every entity and the repository
contract suite.
"""
