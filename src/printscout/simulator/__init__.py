"""PrintScout simulator package."""
