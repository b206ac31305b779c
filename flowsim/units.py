"""Units of time, defined once.

Simulation time is in days from the start date; practitioners' work is drawn in
minutes and reported in hours; demand and costs are given a year or a week.
"""
MINUTES_PER_DAY = 1440.0
HOURS_PER_DAY = 24.0
DAYS_PER_WEEK = 7.0
DAYS_PER_YEAR = 365.0  # a model year; financial years in the results follow the calendar
