"""Collections: payments and their allocation, late fees (电费违约金), deposits, dunning."""
