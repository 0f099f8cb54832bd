"""Pure computations, one module per standard. See README.md in this folder."""
