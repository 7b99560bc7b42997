"""ILMIS Learn: an e-learning platform for French professional-training organisations."""
