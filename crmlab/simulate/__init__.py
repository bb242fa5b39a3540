"""The simulator (M1): a documented generative model of an e-commerce company's customers.

``simulate`` builds a complete CRM database with planted truths (see ``README.md`` in this folder for
the model, its equations and parameters); ``truth`` reads the planted truths back.
"""
from crmlab.simulate.build import simulate
from crmlab.simulate.config import SimConfig
from crmlab.simulate.truth import Truth, truth

__all__ = ["simulate", "truth", "SimConfig", "Truth"]
