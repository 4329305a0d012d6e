"""Supply: the leaving model, the supply inputs from the marts, and the stock-flow projection."""
