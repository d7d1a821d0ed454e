# Ben hands in the release notebook untouched: every answer cell still says YOUR CODE HERE.
