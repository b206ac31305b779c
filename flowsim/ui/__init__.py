"""Building blocks of the app: sliders from a scenario, headline tiles, charts."""
