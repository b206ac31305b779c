"""What if more people were invited to a community hub, with more or fewer social workers?

Runs Barnet's new operating model for each combination of hub share and social
worker FTE, on the same random numbers, and prints new packages, social-worker
load and the 90th-percentile wait for a full assessment at each point.

    python examples/whatif_hub_share.py                 # 30 replications of a year per point
    python examples/whatif_hub_share.py --reps 5 --days 90
"""
import argparse
from pathlib import Path

import flowsim

HERE = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=30)
    parser.add_argument("--days", type=int, default=365)
    args = parser.parse_args()

    base = flowsim.load_scenario(HERE.parent / "scenarios/barnet_new_model.yaml",
                                 [f"time.horizon_days={args.days}"])
    grid = {"stages.front_door.routes.community_hub": [0.1, 0.2, 0.3],
            "roles.social_worker.fte": [15, 19, 23]}
    table = flowsim.sweep(base, grid, reps=args.reps, seed=1)

    wanted = ["new_packages.total", "utilisation.social_worker", "wait_p90_days.full_assessment"]
    wide = table[table["kpi"].isin(wanted)].pivot_table(index=list(grid), columns="kpi", values="mean")
    print(f"Barnet new model, {args.reps} replications of {args.days} days per point (means):")
    print(wide[wanted].round(2).to_string())


if __name__ == "__main__":
    main()
