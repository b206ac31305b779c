"""Units of time used across flowsim, defined once."""
DAYS_PER_WEEK = 7.0
DAYS_PER_YEAR = 365.0
HOURS_PER_DAY = 24.0
MINUTES_PER_DAY = 1440.0
