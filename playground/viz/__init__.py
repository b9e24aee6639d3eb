"""Pictures computed from a run's trace: timelines, activity, backlogs, diagrams."""
