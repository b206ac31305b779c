"""Money: savings of one operating model against another, and Barnet's options appraisal.

A saving is always A − B, the cost of the current model (A) less the cost of
the new one (B): positive when B costs less. It is the negative of the
comparison's B − A difference in cost, named so wherever it is shown.
"""
from flowsim.finance.appraisal import AppraisalInputs, Option, appraise, barnet_inputs
from flowsim.finance.savings import Savings, savings
from flowsim.finance.prices import restate

__all__ = ["AppraisalInputs", "Option", "Savings", "appraise", "barnet_inputs", "restate", "savings"]
