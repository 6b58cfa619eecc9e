"""ROI: baseline vs current vs target per metric, with progress to target."""
