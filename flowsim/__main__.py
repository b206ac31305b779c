"""``python -m flowsim`` runs the command line."""
from flowsim.cli import main

main()
