"""Ports: a Protocol per aggregate, the UnitOfWork that commits them together, and the Clock."""
